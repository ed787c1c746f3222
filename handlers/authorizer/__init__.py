"""The Gatekeeper: a Lambda authorizer in front of the orders API (HS256 JWT bearer tokens)."""
