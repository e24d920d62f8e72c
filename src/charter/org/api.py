"""API for people and teams. Querysets come from the access functions, so the API can never show
what the web pages would refuse; writes go through the same services as the web pages.

Each endpoint reads its input with an input serializer and answers with an output serializer;
the two are kept apart so what a client may send never silently widens what it gets back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charter.api.errors import service_errors
from charter.org import selectors, services
from charter.org.access import (
    can_invite,
    can_manage_org,
    person_of,
    visible_people,
    visible_teams,
)
from charter.org.models import Invitation, Organization, Person, Role, Team

# --- output -------------------------------------------------------------------------------


class TeamOutput(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "parent"]


class PersonOutput(serializers.ModelSerializer):
    team_name = serializers.CharField(
        source="team.name", default=None, allow_null=True, read_only=True
    )
    manager_name = serializers.CharField(
        source="manager.full_name", default=None, allow_null=True, read_only=True
    )
    has_login = serializers.BooleanField(
        read_only=True, help_text="Whether the person has an active login (invited or signed in)."
    )

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


class InvitationOutput(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "person", "email", "created_at", "accepted_at"]


# --- input --------------------------------------------------------------------------------


class VisibleTeamField(serializers.PrimaryKeyRelatedField):
    """A team id, looked up among the teams the caller may see: any other id reads as "does not
    exist", which reveals nothing about teams out of reach."""

    queryset = Team.objects.none()  # tells the schema the model; get_queryset does the work

    def get_queryset(self) -> QuerySet[Team]:
        request = self.context.get("request")
        return visible_teams(request.user if request else None)


class VisiblePersonField(serializers.PrimaryKeyRelatedField):
    """A person id, looked up among the people the caller may see."""

    queryset = Person.objects.none()  # tells the schema the model; get_queryset does the work

    def get_queryset(self) -> QuerySet[Person]:
        request = self.context.get("request")
        return visible_people(request.user if request else None)


class StrictInput(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt field is a 400 rather than a no-op."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class PersonCreateInput(StrictInput):
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.REP)
    team = VisibleTeamField(required=False, allow_null=True, default=None)
    manager = VisiblePersonField(required=False, allow_null=True, default=None)
    hire_date = serializers.DateField(required=False, allow_null=True, default=None)
    start_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Defaults to the hire date."
    )


class PersonUpdateInput(StrictInput):
    """Only the fields sent are changed. Deactivation has its own endpoint."""

    full_name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    team = VisibleTeamField(required=False, allow_null=True)
    manager = VisiblePersonField(required=False, allow_null=True)
    hire_date = serializers.DateField(required=False, allow_null=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    leave_date = serializers.DateField(required=False, allow_null=True)


class InviteInput(StrictInput):
    email = serializers.EmailField(
        required=False,
        help_text="Send to this address (and save it) instead of the one on file. Only admins "
        "may give an address other than the one on file: it is where the login's reset links go.",
    )


class DeactivateInput(StrictInput):
    leave_date = serializers.DateField(required=False, help_text="Defaults to today.")


class TeamCreateInput(StrictInput):
    name = serializers.CharField(max_length=120)
    # DRF takes declared fields off the class, so this does not shadow Serializer.parent.
    parent = VisibleTeamField(required=False, allow_null=True, default=None)  # type: ignore[assignment]


class TeamUpdateInput(StrictInput):
    name = serializers.CharField(max_length=120, required=False)
    parent = VisibleTeamField(required=False, allow_null=True)  # type: ignore[assignment]


class PersonFilter(serializers.Serializer):
    """Query parameters of the people list; others (such as `page`) are left to DRF."""

    team = VisibleTeamField(required=False, help_text="People in this team or any team below it.")
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    active = serializers.BooleanField(
        required=False, help_text="true: only active people; false: only deactivated ones."
    )
    q = serializers.CharField(
        required=False, allow_blank=True, help_text="Words found in the name, email or title."
    )


def _read(
    serializer_class: type[serializers.Serializer], request: Request, data: Any
) -> dict[str, Any]:
    serializer = serializer_class(data=data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _require_org_admin(request: Request, what: str) -> None:
    if not can_manage_org(request.user):
        raise PermissionDenied(f"Only admins can {what}.")


def _admin_write(
    request: Request,
    *,
    what: str,
    input_class: type[serializers.Serializer],
    write: Callable[..., Model],
    output_class: type[serializers.ModelSerializer],
    created: bool,
) -> Response:
    """An admin's create or change: refused for others before the input is read; the input's
    fields go to `write` (the service call) and the result is answered in `output_class`."""
    _require_org_admin(request, what)
    data = _read(input_class, request, request.data)
    with service_errors():
        result = write(**data)
    answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return Response(output_class(result).data, status=answer)


def _org_of(request: Request) -> Organization:
    """The signed-in person's organization: where everything they create belongs."""
    me = person_of(request.user)
    assert me is not None  # the API permission lets only active people in
    return me.org


# --- endpoints ----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List the people you may see", parameters=[PersonFilter]),
    retrieve=extend_schema(summary="One person"),
)
class PersonViewSet(viewsets.GenericViewSet):
    """People the caller may see: reps themselves, managers their subtree, admins and
    executives everyone. Admins add and change people; managers may invite their reports."""

    serializer_class = PersonOutput
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Person]:
        return (
            visible_people(self.request.user)
            .select_related("team", "manager", "user")
            .order_by("full_name", "id")
        )

    def list(self, request: Request) -> Response:
        filters = _read(PersonFilter, request, request.query_params.dict())
        people = selectors.people_directory(
            request.user,
            query=filters.get("q", "").strip(),
            team=filters.get("team"),
            role=filters.get("role", ""),
            include_inactive=True,
        ).filter(pk__in=visible_people(request.user).values("pk"))
        # The web directory also lists a rep's teammates and managers by name; the API lists only
        # the records the caller may read, so every listed id can be fetched.
        if "active" in filters:
            people = people.filter(is_active=filters["active"])
        page = self.paginate_queryset(people)
        return self.get_paginated_response(PersonOutput(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PersonOutput(self.get_object()).data)

    @extend_schema(
        summary="Add a person (admins)",
        request=PersonCreateInput,
        responses={201: PersonOutput},
    )
    def create(self, request: Request) -> Response:
        return _admin_write(
            request,
            what="add people",
            input_class=PersonCreateInput,
            write=partial(services.person_create, org=_org_of(request), actor=request.user),
            output_class=PersonOutput,
            created=True,
        )

    @extend_schema(
        summary="Change a person (admins)",
        request=PersonUpdateInput,
        responses={200: PersonOutput},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        # Looked up first: someone out of sight is a 404 here as on a read, whatever the role.
        return _admin_write(
            request,
            what="change people",
            input_class=PersonUpdateInput,
            write=partial(services.person_update, person=self.get_object(), actor=request.user),
            output_class=PersonOutput,
            created=False,
        )

    @extend_schema(
        summary="Invite a person to sign in (admins; managers for their reports)",
        request=InviteInput,
        responses={201: InvitationOutput},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str) -> Response:
        person = self.get_object()
        if not can_invite(request.user, person):
            raise PermissionDenied("You may invite only people who report to you.")
        data = _read(InviteInput, request, request.data)
        with service_errors():
            invitation = services.person_invite(
                person=person, actor=request.user, email=data.get("email")
            )
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Deactivate a person: close their login, keep their history (admins)",
        request=DeactivateInput,
        responses={200: PersonOutput},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        person = self.get_object()
        _require_org_admin(request, "deactivate people")
        data = _read(DeactivateInput, request, request.data)
        with service_errors():
            services.person_deactivate(
                person=person, actor=request.user, leave_date=data.get("leave_date")
            )
        return Response(PersonOutput(person).data)


@extend_schema_view(
    list=extend_schema(summary="List the teams you may see"),
    retrieve=extend_schema(summary="One team"),
)
class TeamViewSet(viewsets.GenericViewSet):
    """Teams the caller may see. Admins create and change them."""

    serializer_class = TeamOutput
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Team]:
        return visible_teams(self.request.user).order_by("name", "id")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TeamOutput(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(TeamOutput(self.get_object()).data)

    @extend_schema(
        summary="Add a team (admins)", request=TeamCreateInput, responses={201: TeamOutput}
    )
    def create(self, request: Request) -> Response:
        return _admin_write(
            request,
            what="add teams",
            input_class=TeamCreateInput,
            write=partial(services.team_create, org=_org_of(request), actor=request.user),
            output_class=TeamOutput,
            created=True,
        )

    @extend_schema(
        summary="Rename or move a team (admins)",
        request=TeamUpdateInput,
        responses={200: TeamOutput},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        team = self.get_object()

        def change(**data: Any) -> Team:
            return services.team_update(
                team=team,
                actor=request.user,
                name=data.get("name", team.name),
                parent=data.get("parent", team.parent),
            )

        return _admin_write(
            request,
            what="change teams",
            input_class=TeamUpdateInput,
            write=change,
            output_class=TeamOutput,
            created=False,
        )


class MeView(APIView):
    """The person behind the token or session making the request."""

    @extend_schema(
        summary="The caller's own person record",
        responses={200: PersonOutput, 401: OpenApiResponse(description="Not signed in.")},
    )
    def get(self, request: Request) -> Response:
        me = person_of(request.user)
        assert me is not None  # the API permission lets only active people in
        person = Person.objects.select_related("team", "manager", "user").get(pk=me.pk)
        return Response(PersonOutput(person).data)
