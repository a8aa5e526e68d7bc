"""Kaufland Marketplace Seller API v2: signed HTTP, orders (one unit per
piece), carriers. Offers, returns, tickets, invoices and pushes add modules
of their own beside these."""
