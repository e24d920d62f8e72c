"""Development plans: starting one, its goals, the person's progress and managers' comments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from charter.core import audit
from charter.development.models import Goal, GoalComment, GoalStatus, Plan, ProgressUpdate
from charter.org.models import Person

_GOAL_FIELDS = ["title", "description", "target_on", "status"]
_LINKS = ("values", "expectations", "trainings", "certifications")


def plan_create(
    *, person: Person, actor: Any, title: str, starts_on: dt.date, summary: str = ""
) -> Plan:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "A plan needs a title."
    if starts_on is None:
        errors["starts_on"] = "Give the day the plan starts."
    if not person.is_active:
        errors["person"] = f"{person.full_name} is no longer active."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = Plan.objects.create(
            org_id=person.org_id, person=person, title=title.strip(), summary=summary.strip(),
            starts_on=starts_on, created_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action="development.plan.created",
            obj=plan,
            after=audit.snapshot(plan, ["person", "title", "starts_on"]),
        )
    return plan


def _org_of_link(name: str, item: Any) -> int:
    if name == "expectations":
        return int(item.section.document.org_id)
    return int(item.org_id)


def _check_goal(plan: Plan, fields: dict[str, Any], links: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not (fields.get("title") or "").strip():
        errors["title"] = "A goal needs a title."
    target_on = fields.get("target_on")
    if target_on is None:
        errors["target_on"] = "Give the day the goal is due."
    elif target_on < plan.starts_on:
        errors["target_on"] = (
            f"The target ({target_on}) is before the plan starts ({plan.starts_on})."
        )
    if fields.get("status") not in GoalStatus.values:
        errors["status"] = f"Choose one of: {', '.join(GoalStatus.values)}."
    for name, items in links.items():
        if items is not None and any(_org_of_link(name, i) != plan.org_id for i in items):
            errors[name] = "Only what belongs to this organization can be linked."
    if errors:
        raise ValidationError(errors)


def _link_ids(goal: Goal) -> dict[str, list[int]]:
    return {name: sorted(getattr(goal, name).values_list("pk", flat=True)) for name in _LINKS}


def _set_links(goal: Goal, links: dict[str, Any]) -> None:
    for name, items in links.items():
        if items is not None:
            getattr(goal, name).set(items)


def goal_add(
    *,
    plan: Plan,
    actor: Any,
    title: str,
    target_on: dt.date,
    description: str = "",
    status: str = GoalStatus.NOT_STARTED,
    values: Any = None,
    expectations: Any = None,
    trainings: Any = None,
    certifications: Any = None,
) -> Goal:
    fields = {
        "title": (title or "").strip(), "description": (description or "").strip(),
        "target_on": target_on, "status": status,
    }  # fmt: skip
    links = {
        "values": None if values is None else list(values),
        "expectations": None if expectations is None else list(expectations),
        "trainings": None if trainings is None else list(trainings),
        "certifications": None if certifications is None else list(certifications),
    }
    _check_goal(plan, fields, links)
    with transaction.atomic():
        goal = Goal.objects.create(plan=plan, **fields)
        _set_links(goal, links)
        audit.record(
            actor=actor,
            action="development.goal.created",
            obj=plan,
            after={"goal": goal.pk, **audit.snapshot(goal, _GOAL_FIELDS), **_link_ids(goal)},
        )
    return goal


def goal_update(*, goal: Goal, actor: Any, **changes: Any) -> Goal:
    """Change some fields or links of a goal (a link list replaces the one there was)."""
    unknown = set(changes) - set(_GOAL_FIELDS) - set(_LINKS)
    if unknown:
        raise TypeError(f"goal_update got unknown fields {sorted(unknown)}")
    links = {name: list(changes.pop(name)) for name in _LINKS if changes.get(name) is not None}
    for name in _LINKS:
        changes.pop(name, None)
    for name in ("title", "description"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    merged = {name: getattr(goal, name) for name in _GOAL_FIELDS} | changes
    _check_goal(goal.plan, merged, links)
    with transaction.atomic():
        before = {**audit.snapshot(goal, _GOAL_FIELDS), **_link_ids(goal)}
        for name, value in changes.items():
            setattr(goal, name, value)
        if changes:
            goal.save(update_fields=list(changes))
        _set_links(goal, links)
        after = {**audit.snapshot(goal, _GOAL_FIELDS), **_link_ids(goal)}
        changed = sorted(k for k in after if after[k] != before[k])
        if changed:
            audit.record(
                actor=actor,
                action="development.goal.updated",
                obj=goal.plan,
                before={"goal": goal.pk, **{k: before[k] for k in changed}},
                after={"goal": goal.pk, **{k: after[k] for k in changed}},
            )
    return goal


def progress_report(*, goal: Goal, actor: Any, text: str, percent: Any) -> ProgressUpdate:
    """The person says how far a goal has come. A first step moves a goal not yet started to
    in progress."""
    errors: dict[str, str] = {}
    try:
        number = int(percent)
    except (TypeError, ValueError):
        number = -1
    if str(percent).strip() != str(number) or not 0 <= number <= 100:
        errors["percent"] = "Progress is a whole percentage from 0 to 100."
    if not (text or "").strip():
        errors["text"] = "Say what moved."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        update = ProgressUpdate.objects.create(
            goal=goal, text=text.strip(), percent=number, author=actor
        )
        if goal.status == GoalStatus.NOT_STARTED and number > 0:
            goal.status = GoalStatus.IN_PROGRESS
            goal.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="development.progress.reported",
            obj=goal.plan,
            after={"goal": goal.pk, "percent": number, "status": goal.status},
        )
    return update


def comment_add(*, goal: Goal, actor: Any, text: str) -> GoalComment:
    if not (text or "").strip():
        raise ValidationError({"text": "Write a comment."})
    with transaction.atomic():
        comment = GoalComment.objects.create(goal=goal, text=text.strip(), author=actor)
        audit.record(
            actor=actor,
            action="development.goal.commented",
            obj=goal.plan,
            after={"goal": goal.pk, "comment": comment.pk},
        )
    return comment
