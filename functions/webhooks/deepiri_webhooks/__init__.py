"""Outgoing webhooks: third-party apps subscribe a URL to a user's domain events and receive signed deliveries."""
