"""Notifications dal."""
