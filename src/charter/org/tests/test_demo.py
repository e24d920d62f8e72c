import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from charter.core import registry
from charter.core.backup import row_counts
from charter.core.demo import PASSWORD
from charter.core.models import AuditEvent
from charter.core.registry import DemoBuilder
from charter.org.demo import ORG_NAME
from charter.org.models import Organization, OwnerAlias, Person, Role, Team

TODAY = dt.date(2025, 6, 2)


@pytest.fixture
def org_builder_only(monkeypatch):
    # Later apps add their own (slower) demo builders; these tests are about the org chart.
    monkeypatch.setattr(
        registry, "demo_builders", {"org": registry.demo_builders["org"]}, raising=True
    )


@pytest.fixture
def demo(db, org_builder_only):
    out = StringIO()
    with time_machine.travel(dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.UTC)):
        call_command("demo", stdout=out)
    return out.getvalue()


def test_the_whole_demo_builds_with_every_registered_builder_and_only_once(db):
    out = StringIO()
    call_command("demo", stdout=out)
    counts = row_counts()

    call_command("demo", stdout=StringIO())

    for builder in registry.demo_builders:
        assert f"demo: {builder}" in out.getvalue()
    assert Person.objects.filter(role=Role.REP).count() == 24
    assert row_counts() == counts


def people_snapshot():
    return list(
        Person.objects.order_by("pk").values_list(
            "full_name",
            "email",
            "title",
            "role",
            "team__name",
            "manager__full_name",
            "hire_date",
        )
    )


def test_demo_builds_two_regions_of_two_teams_each(demo):
    org = Organization.objects.get()
    assert org.name == ORG_NAME
    regions = Team.objects.filter(org=org, parent__isnull=True)
    assert sorted(regions.values_list("name", flat=True)) == ["Americas", "EMEA"]
    for region in regions:
        assert region.children.count() == 2


def test_demo_staffs_every_team_with_a_manager_and_six_reps(demo):
    teams = Team.objects.filter(parent__isnull=False)
    assert teams.count() == 4
    for team in teams:
        manager = Person.objects.get(team=team, role=Role.MANAGER)
        reps = Person.objects.filter(team=team, role=Role.REP)
        assert reps.count() == 6
        assert set(reps.values_list("manager", flat=True)) == {manager.pk}
        # The team manager reports to the director of the team's region.
        director = manager.manager
        assert director is not None
        assert director.team == team.parent
        assert director.manager is not None
        assert director.manager.role == Role.EXECUTIVE
    assert Person.objects.filter(role=Role.REP).count() == 24
    assert Person.objects.filter(role=Role.MANAGER).count() == 6
    assert Person.objects.filter(role=Role.ADMIN).count() == 1
    assert Person.objects.filter(role=Role.EXECUTIVE).count() == 1


def test_demo_people_have_titles_recent_hire_dates_and_crm_aliases(demo):
    people = Person.objects.all()
    six_years_ago = TODAY - dt.timedelta(days=6 * 365)
    for person in people:
        assert person.title
        assert person.hire_date is not None
        assert six_years_ago <= person.hire_date < TODAY
        aliases = dict(person.owner_aliases.values_list("kind", "value"))
        assert aliases[OwnerAlias.Kind.NAME] == person.full_name.lower()
        assert aliases[OwnerAlias.Kind.CRM_ID].startswith("005")
        assert len(aliases[OwnerAlias.Kind.CRM_ID]) == 15
    # Spread out, not all hired the same year.
    assert len({p.hire_date.year for p in people if p.hire_date}) >= 5
    assert len({p.full_name for p in people}) == people.count() == 32


def test_every_demo_person_signs_in_with_the_shared_password(demo):
    people = Person.objects.select_related("user")
    assert all(p.user is not None and p.user.check_password(PASSWORD) for p in people)

    rep = Person.objects.get(email="ethan.park@northwind.test")
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": rep.email, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "Ethan" in response.content.decode()
    assert response.context["user"].pk == rep.user_id


def test_demo_is_written_through_the_audited_services(demo):
    created = AuditEvent.objects.filter(action="org.person.created")
    assert created.count() == 32
    assert AuditEvent.objects.filter(action="org.person.login_created").count() == 32
    assert AuditEvent.objects.filter(action="org.team.created").count() == 6


def test_demo_prints_a_login_for_each_kind_of_user(demo):
    for email in [
        "priya.raman@northwind.test",
        "helena.marsh@northwind.test",
        "marcus.bell@northwind.test",
        "camila.duarte@northwind.test",
        "ethan.park@northwind.test",
    ]:
        assert email in demo
    for role in ["Admin", "Executive", "Manager", "Sales rep", "Americas Enterprise"]:
        assert role in demo
    assert f"Password for all 32 demo logins: {PASSWORD}" in demo


def test_running_the_demo_again_changes_nothing_and_prints_the_logins(demo):
    counts = row_counts()
    people = people_snapshot()
    out = StringIO()

    call_command("demo", stdout=out)

    assert row_counts() == counts
    assert people_snapshot() == people
    assert "already here; nothing changed" in out.getvalue()
    assert "priya.raman@northwind.test" in out.getvalue()


def test_demo_reset_rebuilds_the_same_company(demo):
    people = people_snapshot()
    aliases = sorted(OwnerAlias.objects.values_list("person__email", "kind", "value"))
    Person.objects.filter(email="ethan.park@northwind.test").update(title="Changed by hand")

    with time_machine.travel(dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.UTC)):
        call_command("demo", "--reset", stdout=StringIO())

    assert people_snapshot() == people
    assert sorted(OwnerAlias.objects.values_list("person__email", "kind", "value")) == aliases
    assert Organization.objects.count() == 1


def test_demo_refuses_a_database_with_a_real_company(org, admin):
    with pytest.raises(CommandError, match="holds Acme Demo Co, not the demo"):
        call_command("demo", stdout=StringIO())
    with pytest.raises(CommandError, match="holds Acme Demo Co, not the demo"):
        call_command("demo", "--reset", stdout=StringIO())
    assert list(Person.objects.values_list("full_name", flat=True)) == ["Ada Admin"]


def test_demo_runs_every_registered_builder_in_order_in_one_transaction(db, monkeypatch):
    ran = []

    def step(name, fail=False):
        def run(ctx):
            ran.append(name)
            if name == "org":
                ctx.org = Organization.objects.create(name=ORG_NAME)
            if fail:
                raise RuntimeError("builder broke")

        return run

    monkeypatch.setattr(
        registry,
        "demo_builders",
        {
            "later": DemoBuilder(name="later", order=50, func=step("later", fail=True)),
            "org": DemoBuilder(name="org", order=10, func=step("org")),
            "middle": DemoBuilder(name="middle", order=20, func=step("middle")),
        },
    )

    with pytest.raises(RuntimeError, match="builder broke"):
        call_command("demo", stdout=StringIO())

    assert ran == ["org", "middle", "later"]
    assert not Organization.objects.exists()  # the failed step undid the whole demo
