"""The organization's calendar: today in its time zone, and the periods of its fiscal year."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from charter.core.periods import QUARTER, Period, parse_period, period_containing, recent
from charter.org.models import Organization


def org_today(org: Organization) -> dt.date:
    """Today in the organization's time zone: what "elapsed days" count up to."""
    return timezone.now().astimezone(ZoneInfo(org.time_zone or "UTC")).date()


def period_of(org: Organization, label: str | None, *, kind: str = QUARTER) -> Period:
    """The period a label names on the org's fiscal calendar, or the current one of `kind`.
    Raises PeriodError for a bad label."""
    if label:
        return parse_period(label, org.fiscal_year_start_month)
    return period_containing(org_today(org), kind, org.fiscal_year_start_month)


def recent_periods(org: Organization, period: Period, count: int) -> list[Period]:
    return recent(period, count, org.fiscal_year_start_month)
