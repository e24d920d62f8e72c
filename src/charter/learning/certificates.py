"""Certificate states and expiry alert stages, as pure functions of dates."""

from __future__ import annotations

import datetime as dt

VALID = "valid"
EXPIRING = "expiring"
EXPIRED = "expired"
LABELS = {VALID: "Valid", EXPIRING: "Expiring", EXPIRED: "Expired"}

# Alerts before expiry (days left) and on it; a late tick sends only the latest stage reached.
STAGES = (("60", 60), ("30", 30), ("7", 7), ("expired", 0))
# An expiry older than this is old news: a first tick over old data does not announce it.
EXPIRED_ALERT_DAYS = 7


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError("no such day")


def expiry_of(issued_on: dt.date, validity_months: int) -> dt.date:
    """The last valid day of a certificate issued on `issued_on`."""
    return add_months(issued_on, validity_months) - dt.timedelta(days=1)


def state(expires_on: dt.date, today: dt.date, expiring_days: int) -> str:
    if today > expires_on:
        return EXPIRED
    if (expires_on - today).days <= expiring_days:
        return EXPIRING
    return VALID


def alert_stage(expires_on: dt.date, today: dt.date) -> str | None:
    """The alert due for a certificate on `today`: the latest stage reached, or None."""
    left = (expires_on - today).days
    reached = [name for name, days in STAGES if left <= days]
    if not reached:
        return None
    stage = reached[-1]
    if stage == "expired" and -left > EXPIRED_ALERT_DAYS:
        return None
    return stage
