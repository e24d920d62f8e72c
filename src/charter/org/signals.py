"""What the org app tells others about changes they derive data from."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction when the organization's time zone changed: anything that put
# instants on calendar days (the KPI rollups) must put them again. kwargs: org, actor.
time_zone_changed = Signal()
