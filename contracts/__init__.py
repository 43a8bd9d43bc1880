"""Event contracts: one JSON Schema per detail-type in ``events/``, generated from its producer's model."""
