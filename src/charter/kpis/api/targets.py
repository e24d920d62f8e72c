"""Targets over the API: list the targets of the people and teams the caller may see, set or
change one (the same service and access rules as the target grid), and read a target's
revisions with their reasons and authors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from charter.api.errors import service_errors
from charter.api.schema import ErrorSerializer
from charter.core.periods import Period, PeriodError
from charter.kpis import services
from charter.kpis.access import can_set_person_target, can_set_team_target
from charter.kpis.models import KpiDefinition, Target, TargetRevision
from charter.kpis.scoring import Revision, prorate, value_on
from charter.kpis.selectors.calendar import period_of
from charter.org.access import person_of, visible_people, visible_teams
from charter.org.api import StrictInput, VisiblePersonField, VisibleTeamField
from charter.org.models import Organization, Person, Team
from charter.org.selectors import team_subtree_ids

# --- output -------------------------------------------------------------------------------


def _plain(revisions: list[TargetRevision]) -> list[Revision]:
    return [Revision(value=r.value, effective_from=r.effective_from) for r in revisions]


def _period_of(target: Target) -> Period:
    return Period(target.period_start, target.period_end, target.period_kind, target.period_label)


_AMOUNT = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.0001")))


class RevisionOutput(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text="Email of who made it; null for imports.")

    class Meta:
        model = TargetRevision
        fields = ["id", "value", "effective_from", "reason", "author", "created_at"]

    def get_author(self, revision: TargetRevision) -> str | None:
        return revision.created_by.email if revision.created_by is not None else None


class TargetOutput(serializers.ModelSerializer):
    kpi = serializers.CharField(source="kpi.key", help_text="The KPI's key.")
    person_name = serializers.CharField(
        source="person.full_name", default=None, allow_null=True, read_only=True
    )
    team_name = serializers.CharField(
        source="team.name", default=None, allow_null=True, read_only=True
    )
    period = serializers.CharField(source="period_label")
    value = serializers.SerializerMethodField(
        method_name="get_current_value",
        help_text="The target in effect on the period's last day (what the grid shows).",
    )
    period_target = serializers.SerializerMethodField(
        help_text="The period's target: each revision's value weighted by the days it applied."
    )
    revisions = serializers.SerializerMethodField(help_text="How many revisions it has.")

    class Meta:
        model = Target
        fields = [
            "id",
            "kpi",
            "person",
            "person_name",
            "team",
            "team_name",
            "period",
            "period_kind",
            "period_start",
            "period_end",
            "value",
            "period_target",
            "revisions",
        ]

    def _revisions(self, target: Target) -> list[TargetRevision]:
        return list(target.revisions.all())

    # Decimals go out as strings, as DecimalFields do: a float would lose the last digits.
    @extend_schema_field(_AMOUNT)
    def get_current_value(self, target: Target) -> str | None:
        found = _plain(self._revisions(target))
        return _text(value_on(found, target.period_end) if found else None)

    @extend_schema_field(_AMOUNT)
    def get_period_target(self, target: Target) -> str | None:
        found = _plain(self._revisions(target))
        return _text(prorate(found, _period_of(target)) if found else None)

    def get_revisions(self, target: Target) -> int:
        return len(self._revisions(target))


# --- input --------------------------------------------------------------------------------


class TargetFilterInput(serializers.Serializer):
    period = serializers.CharField(required=False, help_text="A period label: 2017-Q2, FY2018.")
    person = VisiblePersonField(required=False, help_text="The targets of this person.")
    team = VisibleTeamField(
        required=False,
        help_text="The team's own targets and those of the people in it or in any team below it.",
    )
    kpi = serializers.CharField(required=False, help_text="A KPI key, e.g. revenue_won.")

    def validate_period(self, value: str) -> str:
        try:
            return _parse_period(self.context["org"], value).label
        except ValidationError as exc:
            raise serializers.ValidationError(exc.detail) from None


class TargetInput(StrictInput):
    kpi = serializers.CharField(help_text="The KPI's key.")
    period = serializers.CharField(help_text="A period label: 2017-05, 2017-Q2 or FY2018.")
    person = serializers.IntegerField(required=False, allow_null=True, default=None)
    team = serializers.IntegerField(required=False, allow_null=True, default=None)
    value = serializers.DecimalField(
        max_digits=18,
        decimal_places=4,
        min_value=Decimal(0),
        help_text="In the KPI's unit; percent KPIs in percent (30 means 30%).",
    )
    effective_from = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When a change takes effect (default: today, within the period).",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text="Required when an existing target changes.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("person") is None) == (attrs.get("team") is None):
            raise serializers.ValidationError(
                {"person": ["Give a person or a team (one of them)."]}
            )
        return attrs


def _parse_period(org: Organization, label: str) -> Period:
    try:
        return period_of(org, label)
    except PeriodError as exc:
        raise ValidationError({"period": [f"{label!r} is not a period: {exc}."]}) from None


# --- endpoints ----------------------------------------------------------------------------


def _org(request: Request) -> Organization:
    me = person_of(request.user)
    assert me is not None  # the API permission lets only active people in
    return me.org


def visible_targets(user: Any, org: Organization) -> QuerySet[Target]:
    """Targets of the people and teams `user` may see (a rep: their own and their teams')."""
    revisions = Prefetch(
        "revisions", queryset=TargetRevision.objects.select_related("created_by").order_by("id")
    )
    return (
        Target.objects.filter(org=org)
        .filter(Q(person__in=visible_people(user)) | Q(team__in=visible_teams(user)))
        .select_related("kpi", "person", "team")
        .prefetch_related(revisions)
        .order_by("period_start", "kpi_id", "id")
    )


def _subject(request: Request, org: Organization, data: dict[str, Any]) -> Person | Team:
    """The person or team to set a target for: 404 out of sight, 403 in sight but not allowed."""
    user = request.user
    if data["person"] is not None:
        person = visible_people(user).filter(pk=data["person"], org=org).first()
        if person is None:
            raise Http404
        if not can_set_person_target(user, person):
            raise PermissionDenied("You may not set this person's targets.")
        return person
    team = visible_teams(user).filter(pk=data["team"], org=org).first()
    if team is None:
        raise Http404
    if not can_set_team_target(user, team):
        raise PermissionDenied("You may not set this team's targets.")
    return team


@extend_schema_view(
    list=extend_schema(summary="List the targets you may see", parameters=[TargetFilterInput]),
    retrieve=extend_schema(summary="One target"),
    create=extend_schema(
        summary="Set or change a target",
        request=TargetInput,
        responses={200: TargetOutput, 201: TargetOutput, 404: ErrorSerializer},
        description="Creates the target or adds a revision to it. 201 when a revision was "
        "added, 200 when that value was already in effect (nothing changes). 404 when the "
        "person or team is not one you may see (as for one that does not exist).",
    ),
)
class TargetViewSet(viewsets.GenericViewSet):
    """Targets per person or team, KPI and period, with their revisions."""

    serializer_class = TargetOutput
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Target]:
        return visible_targets(self.request.user, _org(self.request))

    def list(self, request: Request) -> Response:
        org = _org(request)
        filters = TargetFilterInput(
            data=request.query_params.dict(), context={"request": request, "org": org}
        )
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        rows = self.get_queryset()
        if data.get("period"):
            rows = rows.filter(period_label=data["period"])
        if data.get("person") is not None:
            rows = rows.filter(person=data["person"])
        if data.get("team") is not None:
            subtree = team_subtree_ids(data["team"])
            rows = rows.filter(Q(team=data["team"]) | Q(person__team_id__in=subtree))
        if data.get("kpi"):
            rows = rows.filter(kpi__key=data["kpi"].strip().lower())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(TargetOutput(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        target = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(TargetOutput(target).data)

    def create(self, request: Request) -> Response:
        org = _org(request)
        data = TargetInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        kpi = KpiDefinition.objects.filter(org=org, key=fields["kpi"].strip().lower()).first()
        if kpi is None:
            raise ValidationError({"kpi": [f"There is no KPI with the key {fields['kpi']!r}."]})
        period = _parse_period(org, fields["period"])
        subject = _subject(request, org, fields)
        with service_errors():
            revision, _ = services.target_set(
                org=org,
                kpi=kpi,
                period=period,
                value=fields["value"],
                actor=request.user,
                person=subject if isinstance(subject, Person) else None,
                team=subject if isinstance(subject, Team) else None,
                effective_from=fields["effective_from"],
                reason=fields["reason"],
            )
        target = self.get_queryset().get(
            kpi=kpi,
            period_label=period.label,
            **({"person": subject} if isinstance(subject, Person) else {"team": subject}),
        )
        code = status.HTTP_201_CREATED if revision is not None else status.HTTP_200_OK
        return Response(TargetOutput(target).data, status=code)

    @extend_schema(summary="The revisions of a target", responses=RevisionOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def revisions(self, request: Request, pk: str) -> Response:
        target = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(RevisionOutput(target.revisions.all(), many=True).data)
