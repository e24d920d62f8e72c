"""API for people and teams. Querysets come from the access functions, so the API can never show
what the web pages would refuse; writes go through the same services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from charter.org import services
from charter.org.access import can_manage_org, visible_people, visible_teams
from charter.org.models import Person, Role, Team
from charter.org.selectors import current_org


class TeamOutput(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "parent"]


class PersonOutput(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", default=None, read_only=True)
    manager_name = serializers.CharField(source="manager.full_name", default=None, read_only=True)
    has_login = serializers.BooleanField(read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            "email",
            "title",
            "role",
            "team",
            "team_name",
            "manager",
            "manager_name",
            "hire_date",
            "start_date",
            "leave_date",
            "is_active",
            "has_login",
        ]


class PersonInput(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.REP)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True, default=None
    )
    manager = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True, default=None
    )
    hire_date = serializers.DateField(required=False, allow_null=True, default=None)


def _raise_validation(exc: DjangoValidationError) -> None:
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """People the caller may see. Admins may also create people (POST)."""

    serializer_class = PersonOutput
    filterset_fields: list[str] = []

    def get_queryset(self) -> Any:
        people = visible_people(self.request.user).select_related("team", "manager", "user")
        params = self.request.query_params
        if params.get("team"):
            people = people.filter(team_id=params["team"])
        if params.get("role"):
            people = people.filter(role=params["role"])
        if params.get("active") in ("true", "false"):
            people = people.filter(is_active=params["active"] == "true")
        if params.get("q"):
            people = people.filter(full_name__icontains=params["q"])
        return people.order_by("full_name", "id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not can_manage_org(request.user):
            raise PermissionDenied("Only admins can add people.")
        data = PersonInput(data=request.data)
        data.is_valid(raise_exception=True)
        org = current_org()
        assert org is not None
        try:
            person = services.person_create(org=org, actor=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            _raise_validation(exc)
        return Response(PersonOutput(person).data, status=status.HTTP_201_CREATED)


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """Teams the caller may see."""

    serializer_class = TeamOutput

    def get_queryset(self) -> Any:
        return visible_teams(self.request.user).order_by("name")
