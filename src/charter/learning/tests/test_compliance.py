"""Compliance, computed by hand: hours over fiscal periods (with a February fiscal year), new
hires prorated, due dates relative to the hire date around their edges, versions in effect."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from charter.learning.compliance import (
    DONE,
    DUE,
    DUE_SOON,
    NOT_APPLICABLE,
    OVERDUE,
    HoursRule,
    TrainingRule,
    hours_item,
    person_items,
    share_met,
    training_item,
)
from charter.learning.selectors import person_compliance, rules_on
from charter.learning.services.requirements import Ask, requirement_create, requirement_revise

D = dt.date
QUARTERLY = HoursRule(requirement="Keep learning", hours=Decimal("10"), period_kind="quarter")
# Completions as (day, hours); FY starting in February: Q1 FY2027 is 1 Feb - 30 Apr 2026 (89 days).
SPENT = [(D(2026, 1, 31), Decimal("3")), (D(2026, 2, 1), Decimal("4")),
         (D(2026, 3, 15), Decimal("2")), (D(2026, 3, 16), Decimal("5"))]  # fmt: skip


def _hours(day, hire=None, spent=SPENT):
    return hours_item(QUARTERLY, hire_date=hire, hours_by_day=spent, day=day, start_month=2)


def test_hours_count_only_the_fiscal_quarter_up_to_the_day():
    item = _hours(D(2026, 3, 15))
    assert item.label == "10 hours a quarter (2027-Q1)"
    assert item.due == D(2026, 4, 30)
    assert item.hours_done == Decimal("6")  # 4 + 2: 31 January is last quarter, 16 March later
    assert item.state == DUE  # 46 days to go


def test_hours_are_done_once_the_quarter_holds_the_ask():
    assert _hours(D(2026, 4, 1)).hours_done == Decimal("11")  # 4 + 2 + 5
    assert _hours(D(2026, 4, 1)).state == DONE


def test_hours_below_the_ask_are_due_soon_in_the_last_30_days_of_the_quarter():
    few = [(D(2026, 2, 1), Decimal("4"))]
    assert _hours(D(2026, 3, 30), spent=few).state == DUE  # 31 days left
    assert _hours(D(2026, 3, 31), spent=few).state == DUE_SOON  # 30 days left
    assert _hours(D(2026, 4, 30), spent=few).state == DUE_SOON  # the last day
    # 1 May starts the next quarter: the day's period is the new one, asked afresh.
    may = _hours(D(2026, 5, 1), spent=few)
    assert may.label == "10 hours a quarter (2027-Q2)"
    assert may.hours_done == Decimal("0")


def test_a_new_hire_is_asked_for_the_share_of_the_quarter_from_their_hire_date():
    # Hired 2 March: 60 of the quarter's 89 days are theirs: 10 x 60 / 89 = 6.74.
    item = _hours(D(2026, 3, 20), hire=D(2026, 3, 2), spent=[(D(2026, 3, 10), Decimal("6.74"))])
    assert item.hours_asked == Decimal("6.74")
    assert item.state == DONE
    hired_on_the_first = _hours(D(2026, 3, 20), hire=D(2026, 2, 1))
    assert hired_on_the_first.hours_asked == Decimal("10")
    assert _hours(D(2026, 3, 20), hire=D(2026, 6, 1)).state == NOT_APPLICABLE


def test_a_fiscal_year_requirement_runs_february_to_january():
    yearly = HoursRule(requirement="Y", hours=Decimal("40"), period_kind="year")
    item = hours_item(
        yearly, hire_date=None, start_month=2, day=D(2027, 1, 31),
        hours_by_day=[(D(2026, 1, 31), Decimal("30")), (D(2026, 2, 1), Decimal("39.5")),
                      (D(2027, 1, 31), Decimal("0.5"))],
    )  # fmt: skip
    assert item.label == "40 hours a year (FY2027)"
    assert item.hours_done == Decimal("40")
    assert item.state == DONE


AFTER_HIRE = TrainingRule(
    requirement="Onboarding", training_id=7, training="Product basics", due_rule="after_hire",
    due_days=30,
)  # fmt: skip


def test_due_within_30_days_of_the_hire_date_around_its_edge():
    hire = D(2026, 1, 31)  # due 2 March 2026

    def state(day, completed=None):
        return training_item(AFTER_HIRE, hire_date=hire, completed=completed or {}, day=day).state

    assert training_item(AFTER_HIRE, hire_date=hire, completed={}, day=D(2026, 2, 1)).due == D(
        2026, 3, 2
    )
    assert state(D(2026, 1, 31)) == DUE_SOON  # 30 days to go counts as soon
    assert state(D(2026, 3, 2)) == DUE_SOON  # the due day itself
    assert state(D(2026, 3, 3)) == OVERDUE
    assert state(D(2026, 3, 2), {7: D(2026, 3, 2)}) == DONE
    assert state(D(2026, 3, 4), {7: D(2026, 3, 5)}) == OVERDUE  # done after the day asked


def test_no_hire_date_makes_a_relative_due_rule_not_applicable_and_says_why():
    item = training_item(AFTER_HIRE, hire_date=None, completed={}, day=D(2026, 3, 1))
    assert item.state == NOT_APPLICABLE
    assert "no hire date" in item.reason


def test_an_absolute_due_date_before_someone_joined_does_not_apply_to_them():
    rule = TrainingRule(requirement="R", training_id=1, training="T", due_rule="absolute",
                        due_date=D(2026, 6, 30))  # fmt: skip
    joined_after = training_item(rule, hire_date=D(2026, 7, 1), completed={}, day=D(2026, 7, 2))
    assert joined_after.state == NOT_APPLICABLE
    joined_on = training_item(rule, hire_date=D(2026, 6, 30), completed={}, day=D(2026, 7, 1))
    assert joined_on.state == OVERDUE
    assert training_item(rule, hire_date=None, completed={}, day=D(2026, 5, 1)).state == DUE


def test_share_met_counts_items_done_or_overdue():
    items = person_items(
        trainings=[
            AFTER_HIRE,
            TrainingRule(
                requirement="R",
                training_id=8,
                training="Late",
                due_rule="absolute",
                due_date=D(2026, 3, 1),
            ),
            TrainingRule(
                requirement="R",
                training_id=9,
                training="Later",
                due_rule="absolute",
                due_date=D(2026, 12, 1),
            ),
        ],
        hours=[QUARTERLY],
        hire_date=D(2026, 1, 31),
        completions=[(7, D(2026, 2, 20), Decimal("2"))],
        day=D(2026, 3, 10),
        start_month=2,
    )
    assert [(i.label, i.state) for i in items] == [
        ("Late", OVERDUE),
        ("10 hours a quarter (2027-Q1)", DUE),
        ("Later", DUE),
        ("Product basics", DONE),
    ]
    assert share_met(items, D(2026, 3, 10)) == Decimal("0.5")
    assert share_met([], D(2026, 3, 10)) is None


# --- requirements in the database ----------------------------------------------------------------


def test_versions_apply_from_their_day_and_an_ended_one_stops(org, teams, admin, rep):
    org.fiscal_year_start_month = 2
    org.save()
    requirement = requirement_create(
        org=org, actor=admin.user, name="East hours", scope="team", team=teams["east"],
        effective_from=D(2026, 2, 1), hours=Decimal("10"), hours_period="quarter",
    )  # fmt: skip
    requirement_revise(
        requirement=requirement, actor=admin.user, effective_from=D(2026, 5, 1),
        hours=Decimal("12"), hours_period="quarter", reason="More product launches",
    )  # fmt: skip
    requirement_revise(
        requirement=requirement, actor=admin.user, effective_from=D(2026, 8, 1),
        is_active=False, reason="Dropped",
    )  # fmt: skip
    rep.refresh_from_db()
    assert [i.hours_asked for i in person_compliance(rep, D(2026, 4, 30))] == [Decimal("10")]
    assert [i.hours_asked for i in person_compliance(rep, D(2026, 5, 1))] == [Decimal("12")]
    assert person_compliance(rep, D(2026, 8, 1)) == []
    assert person_compliance(rep, D(2026, 1, 31)) == []


def test_team_requirements_reach_subteams_and_role_ones_the_role(
    org, teams, admin, rep, manager, other_team_rep, company_training
):
    requirement_create(
        org=org, actor=admin.user, name="East onboarding", scope="team", team=teams["east"],
        effective_from=D(2026, 1, 1),
        asks=[Ask(training=company_training, due_rule="after_hire", due_days=30)],
    )  # fmt: skip
    requirement_create(
        org=org, actor=admin.user, name="Managers", scope="role", role="manager",
        effective_from=D(2026, 1, 1), hours=Decimal("5"), hours_period="month",
    )  # fmt: skip
    rules = rules_on(org.pk, D(2026, 3, 1))
    assert [r.requirement for r in rules.for_person(rep)[0]] == ["East onboarding"]
    assert rules.for_person(rep)[1] == []
    assert rules.for_person(other_team_rep) == ([], [])
    assert [r.requirement for r in rules.for_person(manager)[1]] == ["Managers"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"hours": Decimal("0"), "hours_period": "month"}, "hours"),
        ({"hours": Decimal("5"), "hours_period": "week"}, "hours_period"),
        ({"hours": None}, "hours"),
        ({"scope": "team"}, "team"),
        ({"scope": "role", "role": "pilot"}, "role"),
    ],
)
def test_bad_requirements_name_the_field(org, admin, fields, field):
    base = {"name": "R", "scope": "company", "effective_from": D(2026, 1, 1),
            "hours": Decimal("5"), "hours_period": "month"}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        requirement_create(org=org, actor=admin.user, **(base | fields))
    assert field in caught.value.message_dict


def test_a_due_rule_needs_its_date_or_days(org, admin, company_training):
    for ask, field in (
        (Ask(training=company_training, due_rule="absolute"), "due_date"),
        (Ask(training=company_training, due_rule="after_hire", due_days=0), "due_days"),
    ):
        with pytest.raises(ValidationError) as caught:
            requirement_create(
                org=org, actor=admin.user, name="R", scope="company",
                effective_from=D(2026, 1, 1), asks=[ask],
            )  # fmt: skip
        assert field in caught.value.message_dict


def test_a_revision_starts_after_the_current_version(org, admin):
    requirement = requirement_create(
        org=org, actor=admin.user, name="R", scope="company", effective_from=D(2026, 3, 1),
        hours=Decimal("5"), hours_period="month",
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        requirement_revise(
            requirement=requirement, actor=admin.user, effective_from=D(2026, 3, 1),
            hours=Decimal("6"), hours_period="month", reason="x",
        )  # fmt: skip
    assert "effective_from" in caught.value.message_dict
