"""Notifications logic."""
