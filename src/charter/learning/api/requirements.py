"""API for requirements (read) and compliance (a person's items, or a team's people)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charter.learning import selectors
from charter.learning.access import (
    can_view_record,
    can_view_team_compliance,
    visible_requirements,
)
from charter.learning.compliance import share_met, tally
from charter.learning.models import (
    RequiredCertification,
    RequiredTraining,
    Requirement,
    RequirementVersion,
)
from charter.learning.selectors import org_today
from charter.org.access import person_of
from charter.org.models import Person, Team


class RequiredTrainingOutput(serializers.ModelSerializer):
    class Meta:
        model = RequiredTraining
        fields = ["training", "due_rule", "due_date", "due_days"]


class RequiredCertificationOutput(serializers.ModelSerializer):
    class Meta:
        model = RequiredCertification
        fields = ["certification", "due_rule", "due_date", "due_days"]


class RequirementVersionOutput(serializers.ModelSerializer):
    trainings = RequiredTrainingOutput(many=True, read_only=True)
    certifications = RequiredCertificationOutput(many=True, read_only=True)

    class Meta:
        model = RequirementVersion
        fields = [
            "effective_from", "is_active", "hours", "hours_period", "reason", "trainings",
            "certifications",
        ]  # fmt: skip


class RequirementOutput(serializers.ModelSerializer):
    versions = RequirementVersionOutput(many=True, read_only=True)

    class Meta:
        model = Requirement
        fields = ["id", "name", "scope", "role", "team", "versions"]


class ComplianceItemOutput(serializers.Serializer):
    requirement = serializers.CharField()
    title = serializers.CharField(source="label")
    # done, due, due_soon, overdue, not_applicable, or not_computable (a due day counting from
    # a date the person lacks; `reason` says which).
    state = serializers.CharField(source="status")
    due = serializers.DateField(allow_null=True)
    reason = serializers.CharField()
    training_id = serializers.IntegerField(allow_null=True)
    certification_id = serializers.IntegerField(allow_null=True)
    hours_done = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    hours_asked = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)


class PersonComplianceOutput(serializers.Serializer):
    person = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    share_met = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    items = ComplianceItemOutput(many=True)


class ComplianceOutput(serializers.Serializer):
    day = serializers.DateField()
    people = PersonComplianceOutput(many=True)


class RequirementViewSet(viewsets.ReadOnlyModelViewSet):
    """Learning requirements with their versions (each from a day on)."""

    serializer_class = RequirementOutput
    pagination_class = None

    def get_queryset(self) -> Any:
        return visible_requirements(self.request.user).prefetch_related(
            "versions__trainings", "versions__certifications"
        )


def _int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "")
    if not raw.isdigit():
        return None
    # Past 64 bits no database holds the id: the same "not found" as any unknown one.
    return int(raw) if int(raw) < 2**63 else 0


class ComplianceView(APIView):
    """Where people stand today on what they are asked to learn: `?person=` (whoever may read
    them) or `?team=` (its managers, admins and executives; the team and the teams below it)."""

    @extend_schema(
        parameters=[OpenApiParameter("person", int), OpenApiParameter("team", int)],
        responses=ComplianceOutput,
    )
    def get(self, request: Request) -> Response:
        me = person_of(request.user)
        assert me is not None
        day = org_today(me.org)
        person_id, team_id = _int(request, "person"), _int(request, "team")
        if person_id is not None:
            person = Person.objects.filter(pk=person_id, org_id=me.org_id).first()
            if person is None or not can_view_record(request.user, person):
                raise Http404
            items = selectors.person_compliance(person, day)
            rows = [
                {"person": person.pk, "counts": tally(items),
                 "share_met": share_met(items, day), "items": items}
            ]  # fmt: skip
        elif team_id is not None:
            team = Team.objects.filter(pk=team_id, org_id=me.org_id).first()
            if team is None or not can_view_team_compliance(request.user, team):
                raise Http404
            rows = [
                {"person": r.person.pk, "counts": r.counts, "share_met": r.share, "items": r.items}
                for r in selectors.team_compliance(request.user, team, day)
            ]
        else:
            raise ValidationError({"person": "Give ?person= or ?team=."})
        return Response(ComplianceOutput({"day": day, "people": rows}).data)
