"""Engagement logic."""
