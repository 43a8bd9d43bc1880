"""Challenges handlers."""
