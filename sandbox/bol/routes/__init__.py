"""HTTP routes of the bol sandbox: the Retailer and Shared API, the token
endpoint, and the control API."""
