"""The learning pages: `catalogue` (trainings)."""
