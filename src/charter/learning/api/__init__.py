"""The learning API, one module per concern: `catalogue` (trainings)."""
