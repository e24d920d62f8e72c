"""The KPI library over the API: every signed-in person reads the definitions (they say how
success is measured); admins create custom KPIs, revise them from a date on, and set how a
longer period's target is shared among its months (seasonality). Writes go through
`kpis.services`, like the web pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from charter.api.errors import service_errors
from charter.kpis import services
from charter.kpis.models import (
    Direction,
    KpiDefinition,
    KpiVersion,
    Seasonality,
    SeasonalityProfile,
    Unit,
)
from charter.kpis.selectors.calendar import org_today
from charter.kpis.selectors.definitions import kpi_definitions, version_in_effect
from charter.org.access import can_manage_org, person_of
from charter.org.api import StrictInput


class KpiVersionOutput(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = KpiVersion
        fields = [
            "number",
            "name",
            "description",
            "formula",
            "unit",
            "direction",
            "decimals",
            "threshold_ahead",
            "threshold_on_track",
            "threshold_at_risk",
            "weight",
            "score_cap",
            "active",
            "effective_from",
            "reason",
            "author",
            "created_at",
        ]

    def get_author(self, version: KpiVersion) -> str | None:
        return version.created_by.email if version.created_by is not None else None


class KpiDefinitionOutput(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(
        help_text="The version in effect today (the organization's calendar day)."
    )
    versions = serializers.SerializerMethodField(help_text="Every version, oldest first.")

    class Meta:
        model = KpiDefinition
        fields = ["key", "builtin", "current", "versions"]

    def _versions(self, definition: KpiDefinition) -> list[KpiVersion]:
        return sorted(definition.versions.all(), key=lambda v: v.number)

    @extend_schema_field(KpiVersionOutput(allow_null=True))
    def get_current(self, definition: KpiDefinition) -> dict[str, Any] | None:
        chosen = version_in_effect(self._versions(definition), self.context["today"])
        return KpiVersionOutput(chosen).data if chosen is not None else None

    @extend_schema_field(KpiVersionOutput(many=True))
    def get_versions(self, definition: KpiDefinition) -> list[dict[str, Any]]:
        return list(KpiVersionOutput(self._versions(definition), many=True).data)


class _KpiVersionFields(StrictInput):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    formula = serializers.CharField(
        max_length=500, help_text="Arithmetic over metric names, e.g. deals_won_count / 2."
    )
    unit = serializers.ChoiceField(choices=Unit.choices)
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.HIGHER)
    decimals = serializers.IntegerField(min_value=0, max_value=4, default=0)
    threshold_ahead = serializers.DecimalField(
        max_digits=6, decimal_places=3, default=Decimal("1.1")
    )
    threshold_on_track = serializers.DecimalField(
        max_digits=6, decimal_places=3, default=Decimal("0.95")
    )
    threshold_at_risk = serializers.DecimalField(
        max_digits=6, decimal_places=3, default=Decimal("0.8")
    )
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, default=Decimal(0))
    score_cap = serializers.DecimalField(
        max_digits=6, decimal_places=3, allow_null=True, default=Decimal("1.5")
    )
    active = serializers.BooleanField(default=True)
    effective_from = serializers.DateField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class KpiDefinitionCreateInput(_KpiVersionFields):
    key = serializers.CharField(max_length=60, help_text="Lower-case letters, digits and _.")


class KpiDefinitionReviseInput(StrictInput):
    """Only the fields sent change; the rest carry over from the latest version."""

    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    formula = serializers.CharField(max_length=500, required=False)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    decimals = serializers.IntegerField(min_value=0, max_value=4, required=False)
    threshold_ahead = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    threshold_on_track = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    threshold_at_risk = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)
    score_cap = serializers.DecimalField(
        max_digits=6, decimal_places=3, allow_null=True, required=False
    )
    active = serializers.BooleanField(required=False)
    effective_from = serializers.DateField(help_text="Periods ending before it keep the old one.")
    reason = serializers.CharField(max_length=300, help_text="Why it changes; people read it.")


class SeasonalityOutput(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text="Email of who set it.")

    class Meta:
        model = SeasonalityProfile
        fields = ["id", "method", "shares", "effective_from", "reason", "author", "created_at"]

    def get_author(self, profile: SeasonalityProfile) -> str | None:
        return profile.created_by.email if profile.created_by is not None else None


class SeasonalityInput(StrictInput):
    method = serializers.ChoiceField(
        choices=Seasonality.choices,
        help_text=(
            "How a longer period's target is shared among its shorter periods: `days`, "
            "`shares` (twelve weights, January first) or `last_year` (the organization's "
            "actuals of the same months a year earlier)."
        ),
    )
    shares = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="For `shares`."
    )
    effective_from = serializers.DateField(
        help_text="Longer periods ending on or after it are shared this way."
    )
    reason = serializers.CharField(max_length=300, help_text="Why; people read it.")


def _require_admin(request: Request, what: str) -> None:
    if not can_manage_org(request.user):
        raise PermissionDenied(f"Only admins can {what}.")


@extend_schema_view(
    list=extend_schema(summary="The KPI library"),
    retrieve=extend_schema(summary="One KPI with its versions"),
)
class DefinitionViewSet(viewsets.GenericViewSet):
    """KPI definitions of the caller's organization, by key."""

    serializer_class = KpiDefinitionOutput
    lookup_field = "key"
    lookup_value_regex = r"[a-z][a-z0-9_]*"
    pagination_class = None
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[KpiDefinition]:
        me = person_of(self.request.user)
        if me is None:
            return KpiDefinition.objects.none()
        return kpi_definitions(me.org)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        me = person_of(self.request.user)
        if me is not None:
            context["today"] = org_today(me.org)
        return context

    def list(self, request: Request) -> Response:
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    def retrieve(self, request: Request, key: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Add a custom KPI (admins)",
        request=KpiDefinitionCreateInput,
        responses={201: KpiDefinitionOutput},
    )
    def create(self, request: Request) -> Response:
        _require_admin(request, "add KPIs")
        data = KpiDefinitionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        me = person_of(request.user)
        assert me is not None
        with service_errors():
            definition = services.kpi_create(
                org=me.org,
                key=fields.pop("key"),
                actor=request.user,
                effective_from=fields.pop("effective_from"),
                reason=fields.pop("reason"),
                **fields,
            )
        found = self.get_queryset().get(pk=definition.pk)
        return Response(self.get_serializer(found).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revise a KPI from a date on (admins)",
        request=KpiDefinitionReviseInput,
        responses={201: KpiDefinitionOutput},
    )
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, key: str) -> Response:
        _require_admin(request, "revise KPIs")
        definition = self.get_object()
        data = KpiDefinitionReviseInput(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        with service_errors():
            services.kpi_revise(
                definition=definition,
                actor=request.user,
                effective_from=changes.pop("effective_from"),
                reason=changes.pop("reason"),
                **changes,
            )
        found = self.get_queryset().get(pk=definition.pk)
        return Response(self.get_serializer(found).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="How the KPI's longer targets are shared: its seasonality profiles (admins set)",
        request=SeasonalityInput,
        responses={200: SeasonalityOutput(many=True), 201: SeasonalityOutput},
    )
    @action(detail=True, methods=["get", "post"])
    def seasonality(self, request: Request, key: str) -> Response:
        definition = self.get_object()
        if request.method == "GET":
            profiles = definition.seasonality.select_related("created_by").order_by("id")
            return Response(SeasonalityOutput(profiles, many=True).data)
        _require_admin(request, "set how targets are shared")
        data = SeasonalityInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        with service_errors():
            profile = services.seasonality_set(
                kpi=definition,
                actor=request.user,
                method=fields["method"],
                shares=fields["shares"],
                effective_from=fields["effective_from"],
                reason=fields["reason"],
            )
        return Response(SeasonalityOutput(profile).data, status=status.HTTP_201_CREATED)
