"""The dropship supplier portal (seeds 001): one channel type whose orders
arrive by API, webhook, file drop or e-mail, all read into one portal order
model (`wire.PortalOrder`) and mapped to the canonical order in one place."""
