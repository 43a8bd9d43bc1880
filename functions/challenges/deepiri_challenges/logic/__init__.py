"""Challenges logic."""
