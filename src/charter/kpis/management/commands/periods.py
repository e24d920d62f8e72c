"""`charter periods list|close`: which reporting periods are closed, and closing one (its
scorecards are frozen; later data shows as a restatement next to them)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from charter.core.periods import KINDS, QUARTER, PeriodError
from charter.kpis import services
from charter.kpis.api.scorecards import period_rows
from charter.kpis.management.commands._common import messages_of, the_org
from charter.kpis.models import ScorecardSnapshot
from charter.kpis.selectors.calendar import period_of


class Command(BaseCommand):
    help = (
        "List reporting periods or close one. "
        "Closing a period (e.g. `charter periods close 2017-Q2`) freezes every scorecard of it; "
        "a period can be closed once, after it has ended."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser("list", help="recent periods and whether they are closed")
        listing.add_argument("--kind", choices=KINDS, default=QUARTER)
        listing.add_argument("--count", type=int, default=8, help="how many recent periods")
        close = actions.add_parser("close", help="freeze a finished period's scorecards")
        close.add_argument("label", help="a month (2017-05), quarter (2017-Q2) or year (FY2018)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = the_org()
        if options["action"] == "list":
            self._list(org, options["kind"], options["count"])
            return
        try:
            period = period_of(org, options["label"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        try:
            closed = services.period_close(org=org, period=period, actor=None)
        except ValidationError as exc:
            raise CommandError(messages_of(exc)) from exc
        frozen = ScorecardSnapshot.objects.filter(close=closed).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Closed {period.label} ({period.start.isoformat()} to {period.end.isoformat()}): "
                f"froze {frozen:,} scorecards."
            )
        )

    def _list(self, org: Any, kind: str, count: int) -> None:
        if count < 1:
            raise CommandError("--count must be at least 1.")
        rows = period_rows(org, kind, count)
        width = max(len(row["label"]) for row in rows)
        for row in rows:
            if row["closed"]:
                who = f" by {row['closed_by']}" if row["closed_by"] else ""
                state = f"closed {timezone.localtime(row['closed_at']):%Y-%m-%d %H:%M}{who}"
            elif row["ended"]:
                state = "ended, open"
            else:
                state = "in progress"
            self.stdout.write(
                f"{row['label']:<{width}}  {row['start'].isoformat()} to "
                f"{row['end'].isoformat()}  {state}"
            )
