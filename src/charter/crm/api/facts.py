"""API for reading CRM facts: deals, activities and CSAT responses, listed with the same filters
as the browsing pages and read one by one. Querysets come from `crm.selectors`, which start from
`crm.access`, so the API shows exactly what the pages would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from charter.crm import selectors
from charter.crm.models import Activity, ActivityKind, CsatResponse, Deal, DealStage, OwnedFact
from charter.crm.selectors import FactFilters, FactList, Period
from charter.org.access import can_manage_org, person_of
from charter.org.api import VisiblePersonField, VisibleTeamField

# --- output -------------------------------------------------------------------------------

_OWNER_FIELDS = ["owner", "owner_name", "owner_raw", "team", "team_name"]


class _OwnedOutput(serializers.ModelSerializer):
    owner_name = serializers.CharField(
        source="owner.full_name", default=None, allow_null=True, read_only=True
    )
    team = serializers.IntegerField(
        source="owner.team_id", default=None, allow_null=True, read_only=True
    )
    team_name = serializers.CharField(
        source="owner.team.name", default=None, allow_null=True, read_only=True
    )


class DealOutput(_OwnedOutput):
    class Meta:
        model = Deal
        fields = [
            "id",
            "source",
            "external_id",
            *_OWNER_FIELDS,
            "name",
            "stage",
            "raw_stage",
            "amount",
            "currency",
            "amount_reporting",
            "created_date",
            "close_date",
            "account",
            "product",
            "lead_source",
        ]


class ActivityOutput(_OwnedOutput):
    class Meta:
        model = Activity
        fields = [
            "id",
            "source",
            "external_id",
            *_OWNER_FIELDS,
            "kind",
            "raw_kind",
            "occurred_at",
            "duration_minutes",
            "outcome",
            "subject",
        ]


class CsatOutput(_OwnedOutput):
    class Meta:
        model = CsatResponse
        fields = [
            "id",
            "source",
            "external_id",
            *_OWNER_FIELDS,
            "score",
            "scale",
            "date",
            "account",
        ]


# --- input --------------------------------------------------------------------------------


class FactFilterInput(serializers.Serializer):
    """Query parameters shared by the fact lists; others (such as `page`) are left to DRF."""

    person = VisiblePersonField(required=False, help_text="Facts owned by this person.")
    team = VisibleTeamField(
        required=False, help_text="Facts owned by people in this team or any team below it."
    )
    period = serializers.ChoiceField(
        choices=Period.choices,
        required=False,
        help_text="A quick period in the fiscal calendar; overrides `from` and `to`.",
    )
    q = serializers.CharField(
        required=False, allow_blank=True, help_text="Words found in the account, name or id."
    )
    unmatched = serializers.BooleanField(
        required=False,
        help_text="true: only facts whose CRM owner matches nobody yet (admins only).",
    )

    def __init__(self, *args: Any, facts: FactList | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword, so the date bounds are added by name.
        self.fields["from"] = serializers.DateField(
            required=False, help_text="First day (inclusive) of the period."
        )
        self.fields["to"] = serializers.DateField(
            required=False, help_text="Last day (inclusive) of the period."
        )
        self.fields["ordering"] = serializers.ChoiceField(
            required=False,
            choices=_ordering_choices(facts) if facts else [],
            help_text="A column to sort by; a leading '-' sorts biggest or latest first.",
        )

    def validate_unmatched(self, value: bool) -> bool:
        request = self.context.get("request")
        if value and not can_manage_org(request.user if request else None):
            raise serializers.ValidationError("Only admins see facts without a matched owner.")
        return value


def _ordering_choices(facts: FactList) -> list[str]:
    return [prefix + key for key in facts.sorts for prefix in ("", "-")]


class DealFilterInput(FactFilterInput):
    stage = serializers.ChoiceField(choices=DealStage.choices, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, facts=selectors.DEALS, **kwargs)


class ActivityFilterInput(FactFilterInput):
    kind = serializers.ChoiceField(choices=ActivityKind.choices, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, facts=selectors.ACTIVITIES, **kwargs)


class CsatFilterInput(FactFilterInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, facts=selectors.CSAT, **kwargs)


def _filters(request: Request, input_class: type[FactFilterInput]) -> FactFilters:
    serializer = input_class(data=request.query_params.dict(), context={"request": request})
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    date_from, date_to = data.get("from"), data.get("to")
    me = person_of(request.user)
    assert me is not None  # the API permission lets only active people in
    # Dates are the organization's days, as on the pages and in the KPIs.
    time_zone = me.org.time_zone
    if data.get("period"):
        date_from, date_to = selectors.period_dates(
            data["period"],
            today=timezone.localdate(timezone=ZoneInfo(time_zone or "UTC")),
            fiscal_year_start_month=me.org.fiscal_year_start_month,
        )
    return FactFilters(
        person=data.get("person"),
        team=data.get("team"),
        date_from=date_from,
        date_to=date_to,
        stage=data.get("stage", ""),
        kind=data.get("kind", ""),
        query=data.get("q", "").strip(),
        unmatched=data.get("unmatched", False),
        sort=data.get("ordering", ""),
        time_zone=time_zone,
    )


# --- endpoints ----------------------------------------------------------------------------


class _FactViewSet(viewsets.ReadOnlyModelViewSet):
    """A fact list and its rows, read through the shared selectors."""

    lookup_value_regex = r"\d+"
    filter_input: type[FactFilterInput]
    # The selector that lists this kind of fact for a user, e.g. `selectors.deal_list`.
    selector: ClassVar[Callable[[Any, FactFilters], QuerySet[Any]]]

    def list_rows(self, filters: FactFilters) -> QuerySet[Any]:
        return type(self).selector(self.request.user, filters)

    def get_queryset(self) -> QuerySet[OwnedFact]:
        return self.list_rows(FactFilters())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.list_rows(_filters(request, self.filter_input))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List the deals you may see", parameters=[DealFilterInput]),
    retrieve=extend_schema(summary="One deal"),
)
class DealViewSet(_FactViewSet):
    """Deals of the people the caller may see; admins also see deals of unmatched owners."""

    serializer_class = DealOutput
    filter_input = DealFilterInput
    selector = selectors.deal_list


@extend_schema_view(
    list=extend_schema(summary="List the activities you may see", parameters=[ActivityFilterInput]),
    retrieve=extend_schema(summary="One activity"),
)
class ActivityViewSet(_FactViewSet):
    """Calls, emails, meetings and other activities of the people the caller may see."""

    serializer_class = ActivityOutput
    filter_input = ActivityFilterInput
    selector = selectors.activity_list


@extend_schema_view(
    list=extend_schema(summary="List the CSAT responses you may see", parameters=[CsatFilterInput]),
    retrieve=extend_schema(summary="One CSAT response"),
)
class CsatViewSet(_FactViewSet):
    """Customer-satisfaction responses about the people the caller may see."""

    serializer_class = CsatOutput
    filter_input = CsatFilterInput
    selector = selectors.csat_list
