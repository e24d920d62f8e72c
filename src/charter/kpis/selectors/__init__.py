"""Reads of the KPI pillar, one module per concern.

- `calendar`: today and the periods on the organization's fiscal calendar;
- `definitions`: the KPI versions in effect (as scoring specs) and the scorecard settings;
- `sums`: metric sums from the monthly rollup, by person, team and organization;
- `targets`: target revisions, prorated targets, and team targets rolled up from their parts;
- `subjects`: the subject kinds and the `Scorecard` value;
- `scorecards`: scorecards of people, teams and the organization, and a person's trend;
- `closed`: a closed period's frozen figures swapped into scorecards, restatements flagged.
- `changes`: changes to a person's targets told in words (their email and home card).

Access is the caller's business (see `kpis.access`): these functions take the people or team
already allowed.
"""
