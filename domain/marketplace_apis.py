"""Where each marketplace's own API lives: a channel talks to these unless
its configuration names another (a sandbox, in tests and demos)."""

BOL_API = "https://api.bol.com"
BOL_TOKEN_URL = "https://login.bol.com/token"
PLAZA_API = "https://plazaapi.bol.com"
KAUFLAND_API = "https://sellerapi.kaufland.com/v2"
