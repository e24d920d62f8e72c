"""API for the explain drill-down: one KPI figure of a person, a team or the org in a period,
with its formula, the figures substituted, the target's revisions and the first page of the
records behind each metric. `?metric=KEY&page=N` pages through one metric's records.

Access is the pages' (`kpis.access`): a person or team out of scope is a 404; the org figure is
for managers, admins and executives; the records of a team or the org are listed only to those
who may see every member's (otherwise `records` is null and `records_note` says why).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.paginator import InvalidPage, Paginator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from charter.core.periods import PeriodError
from charter.crm.api.facts import ActivityOutput, CsatOutput, DealOutput
from charter.crm.models import Activity, CsatResponse, Deal
from charter.kpis.api.scorecards import TargetSourceOutput
from charter.kpis.cascade import source_json
from charter.kpis.explain import (
    Explanation,
    KpiNotFound,
    MetricRecords,
    Subject,
    SubjectNotFound,
    allowed_subject,
    explain_period,
    record_cells,
    record_day,
    record_owner,
)
from charter.kpis.scoring import KpiResult
from charter.kpis.selectors.subjects import ORG, PERSON, TEAM

_RECORD_OUTPUT: dict[type, type[serializers.ModelSerializer]] = {
    Deal: DealOutput,
    Activity: ActivityOutput,
    CsatResponse: CsatOutput,
}


def _contributed_row(records: MetricRecords, record: Any) -> dict[str, Any]:
    """A record of a metric another app contributes: its id, its person and the fields the
    metric shows, keyed by their headers in snake case."""
    person = record_owner(records.metric, record)
    row: dict[str, Any] = {"id": record.pk, "person": {"id": person.pk, "name": person.full_name}}
    for header, value in record_cells(records.metric, record):
        name = header.lower().replace(" ", "_")
        if isinstance(value, Decimal):
            row[name] = decimal_text(value)
        elif isinstance(value, dt.date):
            row[name] = value.isoformat()
        else:
            row[name] = None if value is None else str(value)
    return row


def decimal_text(value: Decimal | None) -> str | None:
    """A figure as exact text (no float rounding), at most four decimals, no exponent."""
    if value is None:
        return None
    rounded = round(value, 4)
    return format(rounded.normalize() if rounded == rounded.to_integral_value() else rounded, "f")


# --- input --------------------------------------------------------------------------------


class ExplainInput(serializers.Serializer):
    subject = serializers.RegexField(
        r"^(person:\d+|team:\d+|org)$",
        help_text="Whose figure: `person:<id>`, `team:<id>` (with the teams under it) or `org`.",
    )
    kpi = serializers.SlugField(help_text="The KPI's key, e.g. `win_rate`.")
    period = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A period label (`2017-05`, `2017-Q2`, `FY2018`); the current quarter if "
        "left out.",
    )
    metric = serializers.CharField(
        required=False,
        help_text="Only this metric's records, at page `page` (the `next` links use this).",
    )
    page = serializers.IntegerField(required=False, min_value=1)


# --- output -------------------------------------------------------------------------------


class ExplainKpiOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    decimals = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True)


class ExplainPeriodOutput(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class ExplainSubjectOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[PERSON, TEAM, ORG])
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class ExplainFiguresOutput(serializers.Serializer):
    """A KPI figure; decimals are written as text so they stay exact."""

    formula = serializers.CharField()
    substituted = serializers.CharField(help_text="The formula with each metric's sum written in.")
    metrics = serializers.DictField(child=serializers.CharField())
    actual = serializers.CharField(allow_null=True)
    target = serializers.CharField(allow_null=True)
    attainment = serializers.CharField(
        allow_null=True, help_text="A fraction of target, never capped (2.15 = 215%)."
    )


class ExplainRevisionOutput(serializers.Serializer):
    value = serializers.CharField()
    effective_from = serializers.DateField()
    applied_from = serializers.DateField()
    applied_to = serializers.DateField()
    days = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)
    author = serializers.CharField(allow_blank=True)


class ExplainRecordsOutput(serializers.Serializer):
    name = serializers.CharField(help_text="The metric's name.")
    count = serializers.IntegerField()
    total = serializers.CharField(help_text="What the records add up to: the metric's sum.")
    lacking = serializers.IntegerField(
        help_text="Records that count nowhere for this metric for want of a field it needs "
        "(a deal imported without a created date); `lacking_note` says which and where."
    )
    lacking_note = serializers.CharField(allow_blank=True)
    results = serializers.ListField(
        child=serializers.DictField(),
        help_text="A page of deals, activities or CSAT responses (as in their own endpoints), "
        "each with `counts_on` (the day it counts on) and `adds` (what it adds to the metric).",
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class ExplainOutput(ExplainFiguresOutput):
    kpi = ExplainKpiOutput()
    period = ExplainPeriodOutput()
    subject = ExplainSubjectOutput()
    status = serializers.CharField(allow_null=True)
    closed = serializers.BooleanField(help_text="The period is closed: the figures are frozen.")
    restated = ExplainFiguresOutput(
        allow_null=True, help_text="For a closed period whose figures changed since: the live one."
    )
    target_revisions = ExplainRevisionOutput(many=True)
    target_summed_from = serializers.CharField(
        allow_blank=True,
        help_text=(
            "`members` or `teams` when the target is the sum of the targets below; `periods` "
            "when it is the sum of its shorter periods' targets."
        ),
    )
    target_source = TargetSourceOutput(
        allow_null=True, help_text="Where the target came from, as in the scorecard rows."
    )
    target_note = serializers.CharField(
        allow_blank=True, help_text="Why there is no target, when that needs saying."
    )
    records = serializers.DictField(child=ExplainRecordsOutput(), allow_null=True)
    records_note = serializers.CharField(allow_blank=True)


# --- the endpoint -------------------------------------------------------------------------


def _figures(result: KpiResult) -> dict[str, Any]:
    return {
        "formula": result.spec.formula.text,
        "substituted": result.spec.formula.substituted(result.metrics),
        "metrics": {key: decimal_text(value) for key, value in result.metrics.items()},
        "actual": decimal_text(result.actual),
        "target": decimal_text(result.target),
        "attainment": decimal_text(result.attainment),
    }


class ExplainView(APIView):
    """What one KPI figure is made of, and the records behind it."""

    @extend_schema(parameters=[ExplainInput], responses=ExplainOutput)
    def get(self, request: Request) -> Response:
        params = ExplainInput(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        subject, records_allowed, note = self._subject(request, data["subject"])
        try:
            explanation = explain_period(subject, data.get("period"), data["kpi"])
        except PeriodError as exc:
            raise serializers.ValidationError({"period": [str(exc)]}) from None
        except KpiNotFound as exc:
            raise NotFound(str(exc)) from None
        records = None
        if records_allowed:
            records = self._records(request, explanation, data.get("metric"), data.get("page", 1))
        return Response(ExplainOutput(self._output(explanation, records, note)).data)

    def _subject(self, request: Request, ref: str) -> tuple[Subject, bool, str]:
        kind, _, raw_id = ref.partition(":")
        try:
            allowed = allowed_subject(request.user, kind, raw_id or None)
        except SubjectNotFound as exc:
            raise NotFound(str(exc)) from None
        return allowed.subject, allowed.records, allowed.records_note

    def _records(
        self, request: Request, explanation: Explanation, metric: str | None, number: int
    ) -> dict[str, Any]:
        chosen = explanation.records
        if metric:
            chosen = [r for r in chosen if r.key == metric]
            if not chosen:
                raise NotFound(f"{explanation.spec.key} does not use the metric {metric!r}.")
        else:
            number = 1
        return {r.key: self._page(request, explanation, r, number) for r in chosen}

    def _page(
        self, request: Request, explanation: Explanation, records: MetricRecords, number: int
    ) -> dict[str, Any]:
        paginator = Paginator(records.rows, api_settings.PAGE_SIZE or 50)
        try:
            page = paginator.page(number)
        except InvalidPage:
            raise NotFound("There is no such page.") from None
        output = _RECORD_OUTPUT.get(records.metric.model)
        time_zone = explanation.subject.org.time_zone
        results = []
        for fact in page.object_list:
            row = dict(output(fact).data) if output is not None else _contributed_row(records, fact)
            row["counts_on"] = record_day(records.metric, fact, time_zone).isoformat()
            row["adds"] = decimal_text(records.value_of(fact))
            results.append(row)
        here = replace_query_param(request.build_absolute_uri(), "metric", records.key)
        count, total = records.totals()
        return {
            "name": records.metric.label,
            "count": count,
            "total": decimal_text(total),
            "lacking": records.lacking,
            "lacking_note": records.lacking_note,
            "results": results,
            "next": (
                replace_query_param(here, "page", page.next_page_number())
                if page.has_next()
                else None
            ),
            "previous": (
                replace_query_param(here, "page", page.previous_page_number())
                if page.has_previous()
                else None
            ),
        }

    def _output(
        self, explanation: Explanation, records: dict[str, Any] | None, note: str
    ) -> dict[str, Any]:
        spec, subject, period = explanation.spec, explanation.subject, explanation.period
        subject_id = (
            subject.person.pk if subject.person else subject.team.pk if subject.team else None
        )
        return {
            "kpi": {
                "key": spec.key,
                "name": spec.name,
                "description": spec.description,
                "unit": spec.unit,
                "direction": spec.direction,
                "decimals": spec.decimals,
                "version": spec.version_number,
            },
            "period": {
                "label": period.label,
                "kind": period.kind,
                "start": period.start,
                "end": period.end,
            },
            "subject": {"kind": subject.kind, "id": subject_id, "name": subject.name},
            **_figures(explanation.result),
            "status": explanation.result.status,
            "closed": explanation.closed is not None,
            "restated": _figures(explanation.live) if explanation.live else None,
            "target_revisions": [
                {
                    "value": decimal_text(span.revision.value),
                    "effective_from": span.revision.effective_from,
                    "applied_from": span.start,
                    "applied_to": span.end,
                    "days": span.days,
                    "reason": span.revision.reason,
                    "author": span.revision.author,
                }
                for span in explanation.target.spans
            ],
            "target_summed_from": explanation.target.summed_from,
            "target_source": source_json(
                explanation.result.target_source, explanation.result.target
            ),
            "target_note": explanation.target.note,
            "records": records,
            "records_note": note,
        }
