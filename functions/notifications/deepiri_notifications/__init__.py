"""Notifications: what happened that matters to a person, in the app, by email and by push."""
