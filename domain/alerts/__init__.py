"""Alerts: conditions that cost the seller if nobody acts, evaluated as pure
functions over facts read from the store and Temporal, and their lifecycle
(raised once, again only when worse, resolved when cleared)."""
