"""Analytics domain rules: pure functions over events and read-model rows."""
