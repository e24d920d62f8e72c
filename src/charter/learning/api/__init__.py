"""The learning API, one module per concern: `catalogue` (trainings), `completions` (reports
and reviews), `requirements` (requirements and compliance)."""
