"""Engagement dal."""
