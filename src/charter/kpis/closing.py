"""Closing periods on their own: every month, quarter and fiscal year that ended at least the
organization's grace period ago is closed by `charter tick` (see `kpis.periodic`), through the
same `services.period_close` as the CLI, the page and the API, so the snapshots, the audit row
and the cache version are the same whoever closes.

Which periods: those that end on or after the day the organization's history starts (its
first metrics, or the start of the first period it has a target for, whichever is earlier).
Periods before that have nothing to freeze; closing them would fill the periods list with
empty closes going back to the start of the calendar. An organization with neither data nor
targets closes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Min

from charter.core.periods import KINDS, Period, period_containing, shift
from charter.kpis import services
from charter.kpis.models import MonthlyMetrics, PeriodClose, Target
from charter.kpis.selectors.calendar import org_today
from charter.org.models import Organization

logger = logging.getLogger(__name__)

# Each close scores the whole organization. The first tick after the setting is turned on may
# find years of periods due; closing a dozen per tick (oldest first) catches up within minutes
# without holding the worker, and the reminders and imports queued behind the tick, for longer.
MAX_CLOSES_PER_TICK = 12

_KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}  # month, quarter, year


def is_due(period: Period, today: dt.date, after_days: int) -> bool:
    """Whether `period` ended at least `after_days` days before `today` (the organization's
    day): a period ending 30 June with 3 days' grace is due from 4 July; with 0, from 1 July.
    A period that has not ended is never due."""
    return period.end + dt.timedelta(days=after_days) < today


def due_periods(
    *,
    history_start: dt.date | None,
    today: dt.date,
    after_days: int,
    start_month: int,
    closed: Collection[str],
) -> list[Period]:
    """Every month, quarter and fiscal year (on a fiscal calendar starting in `start_month`)
    that ends on or after `history_start`, is due by `is_due` and is not in `closed` (labels),
    oldest first; a month before the quarter and the year that end with it."""
    if history_start is None:
        return []
    out = []
    for kind in KINDS:
        period = period_containing(history_start, kind, start_month)
        while is_due(period, today, after_days):
            if period.label not in closed:
                out.append(period)
            period = shift(period, 1, start_month)
    out.sort(key=lambda p: (p.end, _KIND_ORDER[p.kind]))
    return out


def history_start(org: Organization) -> dt.date | None:
    """The first day the organization has anything to score: its first month of metrics or
    the start of its first target's period, whichever is earlier (two indexed reads)."""
    found: Iterable[dt.date | None] = (
        MonthlyMetrics.objects.filter(person__org=org).aggregate(first=Min("month"))["first"],
        Target.objects.filter(org=org).aggregate(first=Min("period_start"))["first"],
    )
    days = [day for day in found if day is not None]
    return min(days) if days else None


@dataclass
class AutoCloseReport:
    """What one tick closed for one organization, and how many due periods wait for the next."""

    closed: list[str] = field(default_factory=list)
    waiting: int = 0


def close_due(*, org: Organization, after_days: int, limit: int | None = None) -> AutoCloseReport:
    """Close the organization's due periods, oldest first, each in its own transaction (the
    service's), at most `limit` of them (MAX_CLOSES_PER_TICK by default). Running it again
    closes nothing more until another period falls due."""
    limit = MAX_CLOSES_PER_TICK if limit is None else limit
    today = org_today(org)
    due = due_periods(
        history_start=history_start(org),
        today=today,
        after_days=after_days,
        start_month=org.fiscal_year_start_month,
        closed=set(PeriodClose.objects.filter(org=org).values_list("label", flat=True)),
    )
    report = AutoCloseReport(waiting=max(0, len(due) - limit))
    for period in due[:limit]:
        try:
            services.period_close(
                org=org, period=period, actor=None, automatic_after_days=after_days
            )
        except ValidationError as exc:
            # Someone closed it by hand since the list was read: it is closed either way.
            logger.info("auto-close of %s skipped: %s", period.label, " ".join(exc.messages))
            continue
        report.closed.append(period.label)
    return report
