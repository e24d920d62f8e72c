"""Writes of the learning app, one module per concern: `catalogue` (trainings)."""
