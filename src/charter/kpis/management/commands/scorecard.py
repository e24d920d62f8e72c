"""`charter scorecard`: scorecards for a period as a table, JSON or CSV. The command runs as
the installation itself, so it sees every person of the organization."""

from __future__ import annotations

import csv
import difflib
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from charter.core.periods import PeriodError
from charter.kpis.api.scorecards import people_with_team_row, scorecard_json, team_members
from charter.kpis.management.commands._common import the_org
from charter.kpis.selectors.calendar import period_of
from charter.kpis.selectors.scorecards import person_scorecards
from charter.kpis.selectors.subjects import Scorecard
from charter.kpis.templatetags.kpis_format import kpi_value, percent
from charter.org.models import Organization, Person, Team

CSV_COLUMNS = [
    "period",
    "person",
    "team",
    "kpi",
    "actual",
    "target",
    "attainment",
    "pace",
    "forecast",
    "status",
    "score",
    "restated_actual",
    "restated_target",
]


def _candidates(names: list[str], wanted: str) -> list[str]:
    close = difflib.get_close_matches(wanted, names, n=5, cutoff=0.6)
    partial = [n for n in names if wanted.lower() in n.lower() and n not in close]
    return (close + partial)[:8]


def find_person(org: Organization, wanted: str) -> Person:
    """The one person whose email or full name is `wanted` (any case)."""
    text = wanted.strip()
    people = Person.objects.filter(org=org).select_related("team").order_by("full_name", "pk")
    found = list(people.filter(Q(email__iexact=text) | Q(full_name__iexact=text)))
    if len(found) == 1:
        return found[0]
    if found:
        listed = "; ".join(f"{p.full_name} <{p.email or 'no email'}>" for p in found)
        raise CommandError(f"{text!r} matches {len(found)} people: {listed}. Use the email.")
    everyone = [(p.full_name, p.email) for p in people]
    labels = {name: f"{name} <{email}>" if email else name for name, email in everyone}
    labels.update({email: f"{name} <{email}>" for name, email in everyone if email})
    near = _candidates(list(labels), text)
    hint = f" Did you mean: {'; '.join(dict.fromkeys(labels[n] for n in near))}?" if near else ""
    raise CommandError(f"Nobody in the organization has the name or email {text!r}.{hint}")


def find_team(org: Organization, wanted: str) -> Team:
    """The team called `wanted` (names are unique in an organization, whatever their case)."""
    text = wanted.strip()
    teams = Team.objects.filter(org=org).order_by("name", "pk")
    found = teams.filter(name__iexact=text).first()
    if found is not None:
        return found
    near = _candidates([t.name for t in teams], text)
    hint = f" Did you mean: {'; '.join(near)}?" if near else ""
    raise CommandError(f"There is no team called {text!r}.{hint}")


class Command(BaseCommand):
    help = (
        "Print scorecards: actual, target, attainment, pace, forecast and status per KPI, and "
        "the weighted score. "
        "Without --person or --team: every active person of the organization. JSON is a list "
        "of {person, team, period, kpis: {key: {actual, target, attainment, pace, forecast, "
        "status}}, score}; attainment, pace and score are fractions of target (1.0 = 100%), "
        "null is no data; rows of a closed period also carry `restated`: {score, kpis: {key: "
        "{actual, target, attainment}}} with today's values of the KPIs changed since the "
        "close and the weighted score they make today."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period",
            metavar="LABEL",
            help="2017-Q2, 2017-05 or FY2018 (default: the current quarter)",
        )
        subject = parser.add_mutually_exclusive_group()
        subject.add_argument("--person", metavar="NAME|EMAIL", help="one person, by name or email")
        subject.add_argument(
            "--team",
            metavar="NAME",
            help="the members of a team and of the teams under it, and a row for the team",
        )
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        org = the_org()
        try:
            period = period_of(org, options["period"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        if options["person"]:
            cards = person_scorecards(org, period, [find_person(org, options["person"])])
        elif options["team"]:
            team = find_team(org, options["team"])
            cards = people_with_team_row(org, period, team, list(team_members(team)))
        else:
            people = (
                Person.objects.filter(org=org, is_active=True)
                .select_related("team")
                .order_by("full_name", "pk")
            )
            cards = person_scorecards(org, period, list(people))
        rows = [scorecard_json(card) for card in cards]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        elif options["format"] == "csv":
            self._csv(rows)
        else:
            self._table(cards, org.reporting_currency)

    def _csv(self, rows: list[dict[str, Any]]) -> None:
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            restated = row.get("restated", {}).get("kpis", {})
            for key, figures in row["kpis"].items():
                live = restated.get(key, {})
                values = [
                    row["period"],
                    row["person"],
                    row["team"],
                    key,
                    *(figures[name] for name in CSV_COLUMNS[4:10]),
                    row["score"],
                    live.get("actual"),
                    live.get("target"),
                ]
                writer.writerow(["" if value is None else value for value in values])

    def _table(self, cards: list[Scorecard], currency: str) -> None:
        if not cards:
            self.stdout.write("Nobody to show.")
            return
        header = ["KPI", "Actual", "Target", "Attainment", "Pace", "Forecast", "Status"]
        for index, card in enumerate(cards):
            if index:
                self.stdout.write("")
            title = card.name
            if card.person is not None and card.person.team is not None:
                title += f" · {card.person.team.name}"
            elif card.team is not None:
                title += " (team)"
            score = percent(card.score, 1) if card.score is not None else "no score"
            state = " · closed" if card.closed is not None else ""
            self.stdout.write(f"{title} · {card.period.label}{state} · score {score}")
            lines = [header]
            for result in card.results:
                spec = result.spec

                def shown(value: Any, spec: Any = spec) -> str:
                    return kpi_value(value, spec.unit, spec.decimals, currency)

                status = result.status_label
                live = card.restated.get(result.key)
                if live is not None:
                    status += (
                        f" (restated: actual {shown(live.actual)}, target {shown(live.target)})"
                    )
                lines.append(
                    [
                        spec.name,
                        shown(result.actual),
                        shown(result.target),
                        percent(result.attainment, 1),
                        percent(result.pace, 1),
                        shown(result.forecast),
                        status,
                    ]
                )
            widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
            for line in lines:
                cells = [
                    line[i].ljust(widths[i]) if i == 0 else line[i].rjust(widths[i])
                    for i in range(len(widths))
                ]
                self.stdout.write("  ".join([*cells, line[-1]]).rstrip())
