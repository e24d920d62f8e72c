"""Series and their cadences, and the meetings generated ahead from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from charter.core import audit
from charter.meetings import recurrence
from charter.meetings.models import Cadence, Frequency, Meeting, Series, Status
from charter.org.models import Person

# How far ahead meetings exist (and so can be moved, skipped, prepared).
HORIZON = dt.timedelta(weeks=8)
_CADENCE_FIELDS = (
    "frequency",
    "weekday",
    "week_of_month",
    "local_time",
    "duration_minutes",
    "time_zone",
)


def rule_of(cadence: Cadence) -> recurrence.Rule:
    return recurrence.Rule(
        frequency=cadence.frequency,
        weekday=cadence.weekday,
        week_of_month=cadence.week_of_month,
        local_time=cadence.local_time,
        duration_minutes=cadence.duration_minutes,
        time_zone=cadence.time_zone,
        effective_from=cadence.effective_from,
    )


def local_today(zone: str) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(zone)).date()


def validate_cadence(data: dict[str, Any]) -> None:
    """Each mistake under the field it is about; nothing is written when one is found."""
    errors: dict[str, str] = {}
    if data.get("frequency") not in Frequency.values:
        errors["frequency"] = "Choose weekly, every two weeks or monthly."
    if data.get("weekday") is None or data.get("weekday") not in range(7):
        errors["weekday"] = "Choose the day of the week the 1:1 falls on."
    if data.get("frequency") == Frequency.MONTHLY and data.get("week_of_month") not in (
        1,
        2,
        3,
        4,
        -1,
    ):
        errors["week_of_month"] = "A monthly 1:1 needs its week of the month (first to last)."
    if not isinstance(data.get("local_time"), dt.time):
        errors["local_time"] = "Give the time of day."
    duration = data.get("duration_minutes")
    if not isinstance(duration, int) or not 5 <= duration <= 240:
        errors["duration_minutes"] = "A 1:1 lasts between 5 and 240 minutes."
    if data.get("time_zone") not in available_timezones():
        errors["time_zone"] = "Choose a time zone from the list (e.g. Europe/Paris)."
    if errors:
        raise ValidationError(errors)


def _cadence_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in _CADENCE_FIELDS}
    if values["frequency"] != Frequency.MONTHLY:
        values["week_of_month"] = None
    return values


def series_create(
    *, manager: Person, report: Person, actor: Any, starts_on: dt.date, cadence: dict[str, Any]
) -> Series:
    """A new series between a manager and one direct report, its first cadence, and its
    meetings for the weeks ahead; both are sent the invitation once it is saved."""
    validate_cadence(cadence)
    if report.manager_id != manager.pk or not report.is_active:
        raise ValidationError({"report": f"{report} does not report to {manager}."})
    if Series.objects.filter(manager=manager, report=report, ended_on__isnull=True).exists():
        raise ValidationError({"report": f"You already have a 1:1 series with {report}."})
    if starts_on < local_today(cadence["time_zone"]):
        raise ValidationError({"starts_on": "A series starts today or later."})
    with transaction.atomic():
        series = Series.objects.create(
            org_id=manager.org_id, manager=manager, report=report, created_by=actor
        )
        version = Cadence.objects.create(
            series=series, effective_from=starts_on, created_by=actor, **_cadence_values(cadence)
        )
        audit.record(
            actor=actor,
            action="meetings.series.create",
            obj=series,
            after={
                "report": report.pk,
                **audit.snapshot(version, ["effective_from", *_CADENCE_FIELDS]),
            },
        )
        generate(series)
        transaction.on_commit(lambda: _invite(version.pk))
    return series


def series_create_for_team(
    *, manager: Person, actor: Any, starts_on: dt.date, cadence: dict[str, Any]
) -> list[Series]:
    """A series with each direct report who has none yet with this manager, all or none."""
    validate_cadence(cadence)
    open_with = Series.objects.filter(manager=manager, ended_on__isnull=True).values("report_id")
    reports = Person.objects.filter(manager=manager, is_active=True).exclude(pk__in=open_with)
    with transaction.atomic():
        return [
            series_create(
                manager=manager, report=report, actor=actor, starts_on=starts_on, cadence=cadence
            )
            for report in reports
        ]


def current_cadence(series: Series, day: dt.date | None = None) -> Cadence | None:
    """The version in effect on `day` (today in its zone when None): the latest that started."""
    versions = list(series.cadences.all())
    if not versions:
        return None
    day = day or local_today(versions[-1].time_zone)
    started = [v for v in versions if v.effective_from <= day]
    return started[-1] if started else versions[0]


def cadence_change(
    *, series: Series, actor: Any, effective_from: dt.date, reason: str, cadence: dict[str, Any]
) -> Cadence:
    """A new version from `effective_from` on. Meetings before that day keep the old rule;
    the old rule's untouched meetings from that day on are replaced (moved, held or skipped
    ones, and any a person already wrote in, stay as they are)."""
    validate_cadence(cadence)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the cadence changes: it stays in the history."})
    if series.ended_on is not None:
        raise ValidationError({"effective_from": "This series has ended."})
    if effective_from <= local_today(cadence["time_zone"]):
        raise ValidationError({"effective_from": "A new cadence starts tomorrow or later."})
    if series.cadences.filter(effective_from__gte=effective_from).exists():
        raise ValidationError(
            {"effective_from": "A later cadence is already planned; change from after it."}
        )
    with transaction.atomic():
        previous = current_cadence(series, effective_from)
        version = Cadence.objects.create(
            series=series,
            effective_from=effective_from,
            reason=reason.strip(),
            created_by=actor,
            **_cadence_values(cadence),
        )
        if previous is not None:
            # The old invitation's recurrence now ends: its SEQUENCE grows with it.
            previous.sequence += 1
            previous.save(update_fields=["sequence"])
        _untouched(series).filter(slot__gte=_day_start(effective_from, version.time_zone)).delete()
        audit.record(
            actor=actor,
            action="meetings.cadence.create",
            obj=series,
            before=audit.snapshot(previous, list(_CADENCE_FIELDS)) if previous else None,
            after=audit.snapshot(version, ["effective_from", "reason", *_CADENCE_FIELDS]),
        )
        generate(series)
        old_pk = previous.pk if previous else None
        transaction.on_commit(lambda: _invite(version.pk, ended=old_pk))
    return version


def _day_start(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(zone))


def _untouched(series: Series) -> Any:
    """Meetings nobody acted on: still scheduled where the rule put them, nothing written in."""
    return (
        Meeting.objects.filter(series=series, status=Status.SCHEDULED, sequence=0)
        .exclude(notes__isnull=False)
        .exclude(agenda__added_by__isnull=False)
        .exclude(action_items__isnull=False)
    )


def generate(series: Series, *, until: dt.datetime | None = None) -> int:
    """Create the meetings of the weeks ahead that do not exist yet; running it again creates
    none (a meeting's slot is unique in its series). Returns how many were made."""
    if series.ended_on is not None:
        return 0
    versions = list(series.cadences.order_by("effective_from"))
    if not versions:
        return 0
    now = timezone.now()
    until = until or now + HORIZON
    made: list[Meeting] = []
    for index, version in enumerate(versions):
        rule = rule_of(version)
        next_from = versions[index + 1].effective_from if index + 1 < len(versions) else None
        first = max(version.effective_from, local_today(version.time_zone))
        last = (
            min(next_from, until.date() + dt.timedelta(days=1))
            if next_from
            else (until.date() + dt.timedelta(days=1))
        )
        for day in recurrence.days_between(rule, first, last):
            start, end = recurrence.starts_at(rule, day)
            if start < now or start > until:
                continue
            made.append(Meeting(series=series, cadence=version, slot=start, start=start, end=end))
    if not made:
        return 0
    taken = set(
        Meeting.objects.filter(series=series, slot__in=[m.slot for m in made]).values_list(
            "slot", flat=True
        )
    )
    fresh = [m for m in made if m.slot not in taken]
    Meeting.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def generate_all() -> int:
    """The periodic job's part: every open series, meetings for the weeks ahead."""
    total = 0
    for series in Series.objects.filter(ended_on__isnull=True).prefetch_related("cadences"):
        total += generate(series)
    return total


def series_end(*, series: Series, actor: Any, reason: str, on: dt.date | None = None) -> Series:
    """The series stops: its meetings from `on` on that were never held are cancelled (the
    invitation says so); what was held stays."""
    if series.ended_on is not None:
        return series
    zone = series.cadences.order_by("-effective_from").values_list("time_zone", flat=True).first()
    on = on or local_today(zone or "UTC")
    with transaction.atomic():
        series.ended_on = on
        series.end_reason = reason[:200]
        series.save(update_fields=["ended_on", "end_reason"])
        cancelled = list(
            Meeting.objects.filter(
                series=series, status=Status.SCHEDULED, start__gte=_day_start(on, zone or "UTC")
            ).values_list("pk", flat=True)
        )
        Meeting.objects.filter(pk__in=cancelled).update(
            status=Status.SKIPPED, skip_reason=reason[:200]
        )
        audit.record(
            actor=actor, action="meetings.series.end", obj=series, after={"reason": reason}
        )
        transaction.on_commit(lambda: _cancel_series(series.pk))
    return series


def end_series_of_changed_managers() -> int:
    """A report who now has another manager: the series with the old one ends (the periodic
    job's part; the new manager's home card then offers a series)."""
    stale = Series.objects.filter(ended_on__isnull=True).filter(
        ~Q(report__manager_id=F("manager_id")) | Q(report__is_active=False)
    )
    count = 0
    for series in stale.select_related("report", "manager"):
        series_end(
            series=series,
            actor=None,
            reason=f"{series.report} no longer reports to {series.manager}.",
        )
        count += 1
    return count


def _invite(cadence_id: int, ended: int | None = None) -> None:
    from charter.meetings import emails

    emails.series_invitation(cadence_id=cadence_id, ended_cadence_id=ended)


def _cancel_series(series_id: int) -> None:
    from charter.meetings import emails

    emails.series_cancelled(series_id=series_id)


def open_series_for(people: Iterable[Person]) -> dict[int, Series]:
    """The open series of each report, by the report's id."""
    return {
        s.report_id: s
        for s in Series.objects.filter(report__in=list(people), ended_on__isnull=True)
    }
