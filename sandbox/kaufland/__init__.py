"""A stateful Kaufland Marketplace Seller API v2 sandbox: signed requests,
order units (one per piece), carriers, with the bol sandbox's fault
injection and control API style."""
