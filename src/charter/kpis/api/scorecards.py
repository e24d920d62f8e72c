"""Scorecards and periods over the API, and the one JSON shape of a scorecard that the API and
`charter scorecard --format json` share.

A scorecard row is `{person, team, period, kpis: {key: {actual, target, attainment, pace,
forecast, status}}, score}`:
- `person` is the person's full name (null on a team or organization row); `team` is the
  person's team, or the team of a team row (null on the organization row);
- `actual`, `target` and `forecast` are in the KPI's unit (a win rate of 27.5% is 27.5, money in
  the reporting currency), rounded to the KPI's decimals but never fewer than two places;
- `unit` says what they count: `count`, `money`, `percent` (0-100, not a fraction), `days` or
  `points`; `actual_exact` and `target_exact` are the same two figures unrounded, as decimal
  text (a JSON number would lose digits in a client's float);
- `target_source` says where the target came from (`kpis.cascade`): `kind` `set` (for this
  period), `sum` (of its shorter periods' targets, in `parts`), `share` (of the longer period's
  `whole`, by `share_rule`) or `members` (a team's or the organization's parts added up), with
  `text` saying it in words and figures; null without a target;
- `attainment`, `pace` and `score` are fractions of target (1.0 = 100%; never capped: 2.15 is
  215%), rounded to four places;
- null means no data (no target, nothing to divide by);
- for a closed period the figures are those frozen at close, and the row gains `restated`:
  `{score, kpis: {key: {actual, target, attainment}}}`, where `kpis` holds today's live values
  of every KPI whose figures have changed since the close (late data, corrections; `{}` when
  nothing has) and `score` is the weighted score they make today, the "score now" of the
  scorecard page (null when nothing has changed, or when nothing can be scored).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charter.api.errors import service_errors
from charter.core.periods import KINDS, QUARTER, Period, PeriodError
from charter.kpis import services
from charter.kpis.access import can_compare_people, can_view_team_scorecard
from charter.kpis.cascade import source_json
from charter.kpis.models import PeriodClose, Unit
from charter.kpis.scoring import KpiResult
from charter.kpis.selectors.calendar import org_today, period_of, recent_periods
from charter.kpis.selectors.definitions import kpi_specs
from charter.kpis.selectors.scorecards import org_scorecard, person_scorecards, team_scorecard
from charter.kpis.selectors.subjects import Scorecard
from charter.org.access import can_manage_org, person_of, visible_people
from charter.org.models import Organization, Person, Team
from charter.org.selectors import team_subtree_ids

# Fractions of target keep four places (0.8333 = 83.33%); figures at least two.
RATIO_PLACES = 4
MIN_FIGURE_PLACES = 2


def json_number(value: Decimal | None, places: int) -> int | float | None:
    """A Decimal as a JSON number rounded half-up to `places`; whole numbers stay integers."""
    if value is None:
        return None
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)


def _figure(result: KpiResult, value: Decimal | None) -> int | float | None:
    return json_number(value, max(result.spec.decimals, MIN_FIGURE_PLACES))


def exact_text(value: Decimal | None) -> str | None:
    """A Decimal unrounded, as text: a JSON number would pass through a client's float."""
    if value is None:
        return None
    # normalize() would write 20000 as 2E+4; fixed-point text reads the same everywhere.
    return format(value, "f")


def kpi_json(result: KpiResult) -> dict[str, Any]:
    return {
        "actual": _figure(result, result.actual),
        "target": _figure(result, result.target),
        "attainment": json_number(result.attainment, RATIO_PLACES),
        "pace": json_number(result.pace, RATIO_PLACES),
        "forecast": _figure(result, result.forecast),
        "status": result.status,
        "unit": result.spec.unit,
        "actual_exact": exact_text(result.actual),
        "target_exact": exact_text(result.target),
        "target_source": source_json(result.target_source, result.target),
    }


def scorecard_json(card: Scorecard) -> dict[str, Any]:
    """One scorecard in the shared shape (see the module docstring)."""
    if card.person is not None:
        team = card.person.team.name if card.person.team is not None else None
    else:
        team = card.team.name if card.team is not None else None
    row: dict[str, Any] = {
        "person": card.person.full_name if card.person is not None else None,
        "team": team,
        "period": card.period.label,
        "kpis": {result.key: kpi_json(result) for result in card.results},
        "score": json_number(card.score, RATIO_PLACES),
    }
    if card.closed is not None:
        row["restated"] = restated_json(card)
    return row


def restated_json(card: Scorecard) -> dict[str, Any]:
    """What has changed in a closed period since it closed (see the module docstring)."""
    return {
        # The live score `closed.freeze` kept aside before swapping the frozen figures in, the
        # one the page shows, shown only beside a restatement, as the page does.
        "score": json_number(card.live_score, RATIO_PLACES) if card.restated else None,
        "kpis": {
            key: {
                "actual": _figure(live, live.actual),
                "target": _figure(live, live.target),
                "attainment": json_number(live.attainment, RATIO_PLACES),
            }
            for key, live in card.restated.items()
        },
    }


def people_with_team_row(
    org: Organization, period: Period, team: Team, members: list[Person]
) -> list[Scorecard]:
    """The members' scorecards followed by the team's own (summed) row."""
    specs = kpi_specs(org, period)
    today = org_today(org)
    cards = person_scorecards(org, period, members, today=today, specs=specs)
    cards.append(team_scorecard(org, period, team, today=today, specs=specs))
    return cards


def team_members(team: Team) -> Any:
    """Active people of the team and of every team under it."""
    return (
        Person.objects.filter(team_id__in=team_subtree_ids(team), is_active=True)
        .select_related("team")
        .order_by("full_name", "pk")
    )


# --- output (for the schema; rows are built by scorecard_json) ------------------------------


class TargetSourcePartOutput(serializers.Serializer):
    period = serializers.CharField()
    target = serializers.CharField(help_text="Exact decimal text.")


class TargetSourceOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["set", "sum", "share", "members"])
    period = serializers.CharField(
        help_text="The period set or added up; for a share, the longer period shared."
    )
    text = serializers.CharField(help_text="In words, with the figures.")
    parts = TargetSourcePartOutput(
        many=True, help_text="The shorter periods added up (or, beside a set target, theirs)."
    )
    parts_total = serializers.CharField(allow_null=True)
    whole = serializers.CharField(allow_null=True, help_text="A share's longer target.")
    share_rule = serializers.ChoiceField(choices=["days", "shares", "last_year"], allow_null=True)
    share = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="A share as [numerator, denominator] (days, weights or last year's actuals).",
    )


class ScorecardKpiOutput(serializers.Serializer):
    actual = serializers.FloatField(allow_null=True, help_text="In the KPI's unit.")
    target = serializers.FloatField(allow_null=True, help_text="Prorated over its revisions.")
    attainment = serializers.FloatField(
        allow_null=True, help_text="Fraction of target, never capped (2.15 = 215%)."
    )
    pace = serializers.FloatField(
        allow_null=True, help_text="Actual against the target prorated to the days elapsed."
    )
    forecast = serializers.FloatField(allow_null=True, help_text="Projected to the period's end.")
    status = serializers.ChoiceField(
        choices=["ahead", "on_track", "at_risk", "behind"], allow_null=True
    )
    unit = serializers.ChoiceField(
        choices=Unit.choices,
        help_text=(
            "What actual, target and forecast count: money is in the organization's reporting "
            "currency; percent is 0-100 (71.43 = 71.43%), never a fraction."
        ),
    )
    actual_exact = serializers.CharField(
        allow_null=True,
        help_text="The actual unrounded, as decimal text (e.g. '71.42857142857142857142857143').",
    )
    target_exact = serializers.CharField(
        allow_null=True, help_text="The target unrounded, as decimal text."
    )
    target_source = TargetSourceOutput(
        allow_null=True,
        help_text=(
            "Where the target came from: set for the period, the sum of its shorter periods', "
            "a share of a longer period's, or the members' added up; null without a target."
        ),
    )


class ScorecardRestatedKpiOutput(serializers.Serializer):
    actual = serializers.FloatField(allow_null=True, help_text="Live value today.")
    target = serializers.FloatField(allow_null=True, help_text="Live value today.")
    attainment = serializers.FloatField(
        allow_null=True, help_text="Live fraction of target today, never capped."
    )


class ScorecardRestatedOutput(serializers.Serializer):
    score = serializers.FloatField(
        allow_null=True,
        help_text=(
            "Weighted score with today's live figures (1.0 = 100%); null when nothing has "
            "changed since the close or nothing can be scored."
        ),
    )
    kpis = serializers.DictField(
        child=ScorecardRestatedKpiOutput(),
        help_text="By KPI key: only the KPIs whose live figures differ from the frozen ones.",
    )


class ScorecardRowOutput(serializers.Serializer):
    person = serializers.CharField(allow_null=True, help_text="Full name; null on team/org rows.")
    team = serializers.CharField(allow_null=True)
    period = serializers.CharField()
    kpis = serializers.DictField(child=ScorecardKpiOutput(), help_text="By KPI key.")
    score = serializers.FloatField(allow_null=True, help_text="Weighted score (1.0 = 100%).")
    restated = ScorecardRestatedOutput(
        required=False,
        help_text="Closed periods only: what has changed since the figures were frozen.",
    )


class ReportingPeriodOutput(serializers.Serializer):
    # DRF takes declared fields off the class, so this does not shadow Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    ended = serializers.BooleanField()
    closed = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.CharField(allow_null=True, help_text="Email of who closed it.")


class PeriodListQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS), default=QUARTER)
    count = serializers.IntegerField(min_value=1, max_value=36, default=8)


class ScorecardQuery(serializers.Serializer):
    period = serializers.CharField(
        required=False, help_text="2017-Q2, 2017-05 or FY2018; default the current quarter."
    )
    person = serializers.IntegerField(required=False, help_text="One person's scorecard.")
    team = serializers.IntegerField(
        required=False, help_text="The team's row and the rows of its members you may see."
    )
    org = serializers.BooleanField(required=False, help_text="org=1: the organization's row.")


# --- helpers --------------------------------------------------------------------------------


def _me(request: Request) -> Person:
    me = person_of(request.user)
    assert me is not None  # the API permission lets only active people in
    return me


def _period(org: Organization, label: str | None, kind: str = QUARTER) -> Period:
    try:
        return period_of(org, label, kind=kind)
    except PeriodError as exc:
        raise ApiValidationError({"period": [str(exc)]}) from exc


def period_rows(org: Organization, kind: str, count: int) -> list[dict[str, Any]]:
    """The last `count` periods of `kind` up to the current one, and any older closed ones,
    newest first."""
    today = org_today(org)
    current = period_of(org, None, kind=kind)
    periods = {p.label: p for p in recent_periods(org, current, count)}
    closes = {
        c.label: c
        for c in PeriodClose.objects.filter(org=org, kind=kind).select_related("closed_by")
    }
    for label, found in closes.items():
        periods.setdefault(label, Period(found.start, found.end, found.kind, label))
    rows = []
    for period in sorted(periods.values(), key=lambda p: p.start, reverse=True):
        close = closes.get(period.label)
        rows.append(
            {
                "label": period.label,
                "kind": period.kind,
                "start": period.start,
                "end": period.end,
                "ended": period.end < today,
                "closed": close is not None,
                "closed_at": close.closed_at if close else None,
                "closed_by": (
                    close.closed_by.email if close and close.closed_by is not None else None
                ),
            }
        )
    return rows


# --- endpoints --------------------------------------------------------------------------------


class ScorecardsView(APIView):
    """Scorecards in the same shape as `charter scorecard --format json`, within the caller's
    access: people they may see, teams they may open (reps: their own team and those above it,
    as aggregates), the organization for managers, admins and executives."""

    @extend_schema(
        summary="Scorecards of people, a team or the organization",
        parameters=[ScorecardQuery],
        responses={200: ScorecardRowOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        query = ScorecardQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        subjects = [name for name in ("person", "team") if name in params]
        if params.get("org"):
            subjects.append("org")
        if len(subjects) > 1:
            raise ApiValidationError({"detail": ["Ask for one of person, team or org."]})
        me = _me(request)
        org = me.org
        period = _period(org, params.get("period"))
        if "person" in params:
            person = (
                visible_people(request.user)
                .select_related("team")
                .filter(pk=params["person"])
                .first()
            )
            if person is None:
                raise NotFound("No such person.")
            cards = person_scorecards(org, period, [person])
        elif "team" in params:
            team = Team.objects.filter(org=org, pk=params["team"]).first()
            if team is None or not can_view_team_scorecard(request.user, team):
                raise NotFound("No such team.")
            allowed = visible_people(request.user).values("pk")
            members = list(team_members(team).filter(pk__in=allowed))
            cards = people_with_team_row(org, period, team, members)
        elif params.get("org"):
            if not can_compare_people(request.user):
                raise PermissionDenied("Only managers, admins and executives see the whole org.")
            cards = [org_scorecard(org, period)]
        else:
            people = list(
                visible_people(request.user)
                .filter(is_active=True)
                .select_related("team")
                .order_by("full_name", "pk")
            )
            cards = person_scorecards(org, period, people)
        return Response([scorecard_json(card) for card in cards])


class PeriodListView(APIView):
    """Recent periods of one kind and whether each is closed; admins close them."""

    @extend_schema(
        summary="Recent periods and their closed state",
        parameters=[PeriodListQuery],
        responses={200: ReportingPeriodOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        query = PeriodListQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        org = _me(request).org
        rows = period_rows(org, query.validated_data["kind"], query.validated_data["count"])
        return Response(ReportingPeriodOutput(rows, many=True).data)


class PeriodCloseView(APIView):
    """Freeze a finished period's scorecards (admins)."""

    @extend_schema(
        summary="Close a period (admins)", request=None, responses={201: ReportingPeriodOutput}
    )
    def post(self, request: Request, label: str) -> Response:
        if not can_manage_org(request.user):
            raise PermissionDenied("Only admins close periods.")
        org = _me(request).org
        period = _period(org, label)
        with service_errors():
            services.period_close(org=org, period=period, actor=request.user)
        row = next(r for r in period_rows(org, period.kind, 1) if r["label"] == period.label)
        return Response(ReportingPeriodOutput(row).data, status=status.HTTP_201_CREATED)
