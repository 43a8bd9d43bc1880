"""Engagement handlers."""
