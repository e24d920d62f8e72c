"""The learning pages: `catalogue` (trainings), `completions` (records, reporting, approvals),
`imports` (the completions upload flow), `requirements` (requirements, the team page),
`certificates` (certifications and certificates)."""
