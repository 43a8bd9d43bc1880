"""Analytics handlers."""
