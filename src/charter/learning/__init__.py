"""Learning and development (pillar 3): the training catalogue, completions, requirements and
compliance, and the figures they feed into KPIs and the expectations document."""
