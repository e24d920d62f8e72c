"""Today on an organization's calendar, which the development rules compare dates with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from charter.core.periods import local_day


def org_today(org: Any) -> dt.date:
    return local_day(timezone.now(), org.time_zone or "UTC")
