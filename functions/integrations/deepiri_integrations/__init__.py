"""Integrations: providers connected by OAuth, their items imported as tasks, completions written back."""
