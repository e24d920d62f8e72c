"""Writes of the learning app, one module per concern: `catalogue` (trainings), `completions`
(reported, reviewed, imported), `requirements` (versions from a day on), `certificates`
(certifications, certificates, expiry alerts)."""
