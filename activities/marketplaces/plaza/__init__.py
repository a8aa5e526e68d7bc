"""bol's legacy Plaza Offer API v2 (XML): a second offer transport next to the
Retailer API v10, for sellers who still push offers through it."""
