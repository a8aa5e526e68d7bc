"""A stateful stand-in for bol's Plaza Offer API v2, for tests and demos."""
