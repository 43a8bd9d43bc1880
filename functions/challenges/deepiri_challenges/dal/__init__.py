"""Challenges dal."""
