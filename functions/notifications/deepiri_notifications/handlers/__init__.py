"""Notifications handlers."""
