"""A dropship supplier portal (seeds 001) for tests and the demo: it places
orders and delivers them by its supplier API (date-time range) and by
signed webhooks, records the status updates and notes suppliers send (or
ops enter by hand), and takes a stock feed. A control API under /_sandbox
injects duplicates, malformed pushes, late and out-of-order deliveries."""
