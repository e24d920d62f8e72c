"""API for development plans, their goals, progress updates and comments: the same access
rules and services as the pages (a plan is the person's and their managers' only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from charter.api.errors import service_errors
from charter.development import selectors
from charter.development.access import (
    can_comment,
    can_edit_plan,
    can_report_progress,
    plan_owners,
    visible_goals,
    visible_plans,
)
from charter.development.models import Goal, GoalComment, GoalStatus, Plan, ProgressUpdate
from charter.development.services import plans as services
from charter.expectations.access import visible_documents
from charter.expectations.models import Expectation, Value
from charter.learning.access import visible_trainings
from charter.learning.models import Certification, Training
from charter.org.access import person_of
from charter.org.api import StrictInput
from charter.org.models import Person


class PlanOutput(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "person", "person_name", "title", "summary", "starts_on", "created_at"]


class _PlanOwnerField(serializers.PrimaryKeyRelatedField):
    """Whom the caller may start a plan for: themselves, and their people if they manage."""

    queryset = Person.objects.none()  # tells the schema the model

    def get_queryset(self) -> QuerySet[Person]:
        return plan_owners(self.context["request"].user)


class PlanInput(StrictInput):
    person = _PlanOwnerField()
    title = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")


def _plan(request: Request, pk: Any) -> Plan:
    plan = visible_plans(request.user).select_related("person").filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


class PlanViewSet(viewsets.ViewSet):
    """Development plans: the caller's own and those of the people below them."""

    lookup_value_regex = r"\d+"
    # A plan of one's own is personal: executives may keep one too.
    personal_actions = ("create",)

    @extend_schema(responses=PlanOutput(many=True))
    def list(self, request: Request) -> Response:
        return Response(PlanOutput(selectors.plans(request.user)[:1000], many=True).data)

    @extend_schema(responses=PlanOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PlanOutput(_plan(request, pk)).data)

    @extend_schema(request=PlanInput, responses={201: PlanOutput})
    def create(self, request: Request) -> Response:
        data = PlanInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        with service_errors():
            plan = services.plan_create(actor=request.user, **data.validated_data)
        return Response(PlanOutput(plan).data, status=status.HTTP_201_CREATED)


class PlanGoalOutput(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Goal
        fields = [
            "id", "plan", "title", "description", "target_on", "status", "percent", "values",
            "expectations", "trainings", "certifications",
        ]  # fmt: skip


class GoalUpdateOutput(serializers.ModelSerializer):
    class Meta:
        model = ProgressUpdate
        fields = ["id", "goal", "percent", "text", "created_at"]


class GoalCommentOutput(serializers.ModelSerializer):
    class Meta:
        model = GoalComment
        fields = ["id", "goal", "text", "created_at"]


class _Scoped(serializers.PrimaryKeyRelatedField):
    """An id among what `scope(user)` returns; any other reads as "does not exist"."""

    def get_queryset(self) -> QuerySet[Any]:
        return self.scope(self.context["request"].user)  # type: ignore[attr-defined]


class _ValueField(_Scoped):
    queryset = Value.objects.none()  # tells the schema the model

    def scope(self, user: Any) -> QuerySet[Value]:
        me = person_of(user)
        return Value.objects.filter(org_id=me.org_id if me else None)


class _ExpectationField(_Scoped):
    queryset = Expectation.objects.none()

    def scope(self, user: Any) -> QuerySet[Expectation]:
        return Expectation.objects.filter(section__document__in=visible_documents(user))


class _TrainingField(_Scoped):
    queryset = Training.objects.none()

    def scope(self, user: Any) -> QuerySet[Training]:
        return visible_trainings(user)


class _CertificationField(_Scoped):
    queryset = Certification.objects.none()

    def scope(self, user: Any) -> QuerySet[Certification]:
        me = person_of(user)
        return Certification.objects.filter(org_id=me.org_id if me else None)


class _PlanField(_Scoped):
    queryset = Plan.objects.none()

    def scope(self, user: Any) -> QuerySet[Plan]:
        return visible_plans(user)


class PlanGoalInput(StrictInput):
    plan = _PlanField()
    title = serializers.CharField(max_length=200)
    target_on = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=GoalStatus.choices, required=False)
    values = _ValueField(many=True, required=False)
    expectations = _ExpectationField(many=True, required=False)
    trainings = _TrainingField(many=True, required=False)
    certifications = _CertificationField(many=True, required=False)


class PlanGoalChangeInput(PlanGoalInput):
    plan = None  # type: ignore[assignment]


class GoalUpdateInput(StrictInput):
    percent = serializers.IntegerField(min_value=0, max_value=100)
    text = serializers.CharField()


class GoalCommentInput(StrictInput):
    text = serializers.CharField()


class PlanGoalFilter(serializers.Serializer):
    plan = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class GoalViewSet(viewsets.ViewSet):
    """Goals of the plans the caller may read. The person and the managers above them add and
    change goals; the person reports progress; the managers comment."""

    lookup_value_regex = r"\d+"
    personal_actions = ("create", "partial_update", "updates")

    def _found(self, request: Request, pk: str) -> Goal:
        goals = selectors.plan_goals_of(visible_goals(request.user))
        goal = goals.select_related("plan").filter(pk=pk).first()
        if goal is None:
            raise Http404
        return goal

    @extend_schema(parameters=[PlanGoalFilter], responses=PlanGoalOutput(many=True))
    def list(self, request: Request) -> Response:
        wanted = PlanGoalFilter(data=request.query_params.dict())
        wanted.is_valid(raise_exception=True)
        goals = selectors.plan_goals_of(visible_goals(request.user))
        if "plan" in wanted.validated_data:
            goals = goals.filter(plan_id=wanted.validated_data["plan"])
        return Response(PlanGoalOutput(goals[:1000], many=True).data)

    @extend_schema(responses=PlanGoalOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PlanGoalOutput(self._found(request, pk)).data)

    @extend_schema(request=PlanGoalInput, responses={201: PlanGoalOutput})
    def create(self, request: Request) -> Response:
        data = PlanGoalInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        plan = fields.pop("plan")
        if not can_edit_plan(request.user, plan):
            raise PermissionDenied("The person and their managers add goals.")
        with service_errors():
            goal = services.goal_add(plan=plan, actor=request.user, **fields)
        return Response(PlanGoalOutput(self._found(request, str(goal.pk))).data, status=201)

    @extend_schema(request=PlanGoalChangeInput(partial=True), responses=PlanGoalOutput)
    def partial_update(self, request: Request, pk: str) -> Response:
        goal = self._found(request, pk)
        if not can_edit_plan(request.user, goal.plan):
            raise PermissionDenied("The person and their managers change goals.")
        data = PlanGoalChangeInput(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        with service_errors():
            services.goal_update(goal=goal, actor=request.user, **data.validated_data)
        return Response(PlanGoalOutput(self._found(request, pk)).data)

    @extend_schema(methods=["get"], request=None, responses=GoalUpdateOutput(many=True))
    @extend_schema(methods=["post"], request=GoalUpdateInput, responses={201: GoalUpdateOutput})
    @action(detail=True, methods=["get", "post"])
    def updates(self, request: Request, pk: str) -> Response:
        goal = self._found(request, pk)
        if request.method == "GET":
            return Response(GoalUpdateOutput(goal.updates.all(), many=True).data)
        if not can_report_progress(request.user, goal):
            raise PermissionDenied("Only the person reports progress on their goals.")
        data = GoalUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            update = services.progress_report(goal=goal, actor=request.user, **data.validated_data)
        return Response(GoalUpdateOutput(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], request=None, responses=GoalCommentOutput(many=True))
    @extend_schema(methods=["post"], request=GoalCommentInput, responses={201: GoalCommentOutput})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: str) -> Response:
        goal = self._found(request, pk)
        if request.method == "GET":
            return Response(GoalCommentOutput(goal.comments.all(), many=True).data)
        if not can_comment(request.user, goal):
            raise PermissionDenied("The person's managers comment on their goals.")
        data = GoalCommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            comment = services.comment_add(goal=goal, actor=request.user, **data.validated_data)
        return Response(GoalCommentOutput(comment).data, status=status.HTTP_201_CREATED)
