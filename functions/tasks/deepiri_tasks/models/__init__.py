"""The tasks service's pydantic models.

Every model is built on first use (``defer_build``): a function builds only the models its routes and
consumers use, on their first request, and none at import.
"""
