"""Analytics models: the events read, the read-model rows and the reports."""
