"""Deepiri's shared layer: what every service's handlers stand on."""
