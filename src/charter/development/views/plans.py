"""Development plans: the list, one plan with its goals, goals, progress and comments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.development import selectors
from charter.development.access import (
    can_comment,
    can_edit_plan,
    can_report_progress,
    can_start_plan_for,
    plan_owners,
    visible_goals,
    visible_plans,
)
from charter.development.dates import org_today
from charter.development.forms import CommentForm, GoalForm, PlanForm, ProgressForm
from charter.development.models import Goal, Plan
from charter.development.services import plans as services
from charter.development.views.mentorships import add_errors
from charter.expectations.access import visible_documents
from charter.expectations.models import Expectation, Value
from charter.learning.access import visible_trainings
from charter.learning.models import Certification


def _goal_choices(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """What a goal may be linked to: what the signed-in person reads in their organization."""
    org_id = request.person.org_id
    return {
        "values": Value.objects.filter(org_id=org_id, is_active=True),
        "expectations": Expectation.objects.filter(
            section__document__in=visible_documents(request.user)
        ).order_by("section__document__title", "title"),
        "trainings": visible_trainings(request.user).filter(is_active=True),
        "certifications": Certification.objects.filter(org_id=org_id, is_active=True),
    }


@person_required
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The plans the signed-in person may read, and the form to start one."""
    form = PlanForm(
        request.POST or None,
        people=plan_owners(request.user).order_by("full_name"),
        initial={"person": request.person, "starts_on": org_today(request.person.org)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not can_start_plan_for(request.user, data["person"]):
            raise PermissionDenied("A plan is started by the person or their managers.")
        try:
            plan = services.plan_create(actor=request.user, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Plan “{plan.title}” started.")
            return redirect("development:plan", plan_id=plan.pk)
    return render(
        request, "development/plans.html", {"plans": selectors.plans(request.user), "form": form}
    )


def _plan(request: AuthenticatedHttpRequest, plan_id: int) -> Plan:
    plan = visible_plans(request.user).select_related("person", "org").filter(pk=plan_id).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


@person_required
def plan_detail(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """A plan and its goals; the person and their managers add goals here."""
    plan = _plan(request, plan_id)
    editable = can_edit_plan(request.user, plan)
    form = GoalForm(request.POST or None, choices=_goal_choices(request))
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("The person and their managers add goals.")
        if form.is_valid():
            try:
                services.goal_add(plan=plan, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Goal added.")
                return redirect("development:plan", plan_id=plan.pk)
    is_person = plan.person_id == request.person.pk
    return render(
        request,
        "development/plan.html",
        {
            "plan": plan,
            "goals": selectors.plan_goals(plan),
            "form": form if editable else None,
            "editable": editable,
            "is_person": is_person,
            # Commenting is the managers'; the form is the same for each goal.
            "may_comment": not is_person and editable,
            "progress_form": ProgressForm(),
            "comment_form": CommentForm(),
            "today": org_today(plan.org),
        },
    )


def _goal(request: AuthenticatedHttpRequest, goal_id: int) -> Goal:
    goal = visible_goals(request.user).select_related("plan__person", "plan__org")
    found = goal.filter(pk=goal_id).first()
    if found is None:
        raise Http404("No such goal.")
    return found


@person_required
def goal_edit(request: AuthenticatedHttpRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    if not can_edit_plan(request.user, goal.plan):
        raise PermissionDenied("The person and their managers change goals.")
    form = GoalForm(
        request.POST or None,
        choices=_goal_choices(request),
        initial={
            "title": goal.title, "description": goal.description, "target_on": goal.target_on,
            "status": goal.status, "values": goal.values.all(),
            "expectations": goal.expectations.all(), "trainings": goal.trainings.all(),
            "certifications": goal.certifications.all(),
        },
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(goal=goal, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Goal saved.")
            return redirect("development:plan", plan_id=goal.plan_id)
    return render(request, "development/goal_form.html", {"goal": goal, "form": form})


def _goal_post(
    request: AuthenticatedHttpRequest, goal: Goal, form: Any, write: Any
) -> HttpResponse:
    if form.is_valid():
        try:
            write(**form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
    if form.errors:
        return render(
            request, "development/goal_post.html", {"goal": goal, "form": form}, status=400
        )
    return redirect("development:plan", plan_id=goal.plan_id)


@require_POST
@person_required
def goal_progress(request: AuthenticatedHttpRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    if not can_report_progress(request.user, goal):
        raise PermissionDenied("Only the person reports progress on their goals.")

    def write(**data: Any) -> None:
        services.progress_report(goal=goal, actor=request.user, **data)
        messages.success(request, "Progress noted.")

    return _goal_post(request, goal, ProgressForm(request.POST), write)


@require_POST
@person_required
def goal_comment(request: AuthenticatedHttpRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    if not can_comment(request.user, goal):
        raise PermissionDenied("The person's managers comment on their goals.")

    def write(**data: Any) -> None:
        services.comment_add(goal=goal, actor=request.user, **data)
        messages.success(request, "Comment added.")

    return _goal_post(request, goal, CommentForm(request.POST), write)
