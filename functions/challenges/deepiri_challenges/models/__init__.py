"""Challenges models."""
