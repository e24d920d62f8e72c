"""The demo company's org chart: Northwind Outfitters, an outdoor-gear maker selling in two
regions. Everything goes through the org services, so the audit log tells the story too."""

from __future__ import annotations

import string
import unicodedata
from typing import Any

from charter.core.demo import DemoContext, DemoLogin
from charter.core.registry import demo_builder
from charter.org import services
from charter.org.models import Organization, OwnerAlias, Person, Role

ORG_NAME = "Northwind Outfitters"
EMAIL_DOMAIN = "northwind.test"  # .test never resolves, so no demo mail can reach anyone

EXECUTIVE = ("Helena Marsh", "Chief Revenue Officer")
ADMIN = ("Priya Raman", "Sales Operations Lead")

# region key → (team name, director name)
REGIONS = {
    "americas": ("Americas", "Marcus Bell"),
    "emea": ("EMEA", "Ingrid Solberg"),
}

# team key → (region key, team name, manager name, six reps)
TEAMS = {
    "americas_enterprise": (
        "americas",
        "Americas Enterprise",
        "Camila Duarte",
        [
            "Ethan Park",
            "Lucía Romero",
            "Devon Carter",
            "Mei Chen",
            "Rafael Ortiz",
            "Hannah Goldberg",
        ],
    ),
    "americas_midmarket": (
        "americas",
        "Americas Mid-Market",
        "Jordan Whitaker",
        [
            "Tyrone Jackson",
            "Aisha Rahman",
            "Kevin O'Brien",
            "Valentina Cruz",
            "Samuel Adeyemi",
            "Grace Kim",
        ],
    ),
    "emea_enterprise": (
        "emea",
        "EMEA Enterprise",
        "Tobias Brandt",
        [
            "Luca Moretti",
            "Elif Demir",
            "Pierre Lefèvre",
            "Katarzyna Nowak",
            "Jonas Weber",
            "Fatima El-Amin",
        ],
    ),
    "emea_commercial": (
        "emea",
        "EMEA Commercial",
        "Amara Nwosu",
        [
            "Sven Eriksson",
            "Chloé Martin",
            "Ahmed Haddad",
            "Niamh Walsh",
            "Mateus Silva",
            "Zofia Kowalczyk",
        ],
    ),
}

YEAR = 365
# Hire dates spread over the last six years; leaders have been here longer than most reps.
TENURE_DAYS = {
    Role.EXECUTIVE: (5 * YEAR, 6 * YEAR),
    Role.ADMIN: (3 * YEAR, 5 * YEAR),
    "director": (4 * YEAR, 6 * YEAR),
    Role.MANAGER: (2 * YEAR, 5 * YEAR),
    Role.REP: (30, 6 * YEAR),
}


def demo_email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local = ".".join(
        "".join(c for c in part.lower() if c.isalnum() or c == "-") for part in ascii_name.split()
    )
    return f"{local}@{EMAIL_DOMAIN}"


def _crm_user_id(ctx: DemoContext) -> str:
    # Shaped like a Salesforce user id: the "005" key prefix, then a 12-character record id.
    alphabet = string.ascii_uppercase + string.digits
    return "005" + "".join(ctx.rng.choice(alphabet) for _ in range(12))


def _rep_title(team_name: str, tenure_days: int) -> str:
    if tenure_days < YEAR:
        return "Sales Development Representative"
    level = "Senior Account Executive" if tenure_days >= 3 * YEAR else "Account Executive"
    if "Enterprise" in team_name and level == "Account Executive":
        return "Enterprise Account Executive"
    return level


def _hire(ctx: DemoContext, kind: str) -> tuple[Any, int]:
    low, high = TENURE_DAYS[kind]
    days = ctx.rng.randint(low, high - 1)
    return ctx.days_ago(days), days


def _add_person(
    ctx: DemoContext,
    key: str,
    name: str,
    *,
    role: str,
    title: str,
    hire_date: Any,
    team: Any = None,
    manager: Person | None = None,
) -> Person:
    person = services.person_create(
        org=ctx.org,
        actor=None,
        full_name=name,
        email=demo_email(name),
        title=title,
        role=role,
        team=team,
        manager=manager,
        hire_date=hire_date,
    )
    services.person_login_create(person=person, actor=None, password=ctx.password)
    services.owner_alias_add(
        person=person, actor=None, kind=OwnerAlias.Kind.NAME, value=name, source="salesforce"
    )
    services.owner_alias_add(
        person=person,
        actor=None,
        kind=OwnerAlias.Kind.CRM_ID,
        value=_crm_user_id(ctx),
        source="salesforce",
    )
    ctx.people[key] = person
    return person


@demo_builder("org", order=10)
def build_org(ctx: DemoContext) -> None:
    ctx.org = services.organization_create(name=ORG_NAME, actor=None, reporting_currency="USD")
    hire, _ = _hire(ctx, Role.EXECUTIVE)
    executive = _add_person(
        ctx, "executive", EXECUTIVE[0], role=Role.EXECUTIVE, title=EXECUTIVE[1], hire_date=hire
    )
    hire, _ = _hire(ctx, Role.ADMIN)
    _add_person(
        ctx, "admin", ADMIN[0], role=Role.ADMIN, title=ADMIN[1], hire_date=hire, manager=executive
    )
    for region_key, (region_name, director_name) in REGIONS.items():
        region = services.team_create(org=ctx.org, name=region_name, actor=None)
        ctx.teams[region_key] = region
        hire, _ = _hire(ctx, "director")
        _add_person(
            ctx,
            f"director.{region_key}",
            director_name,
            role=Role.MANAGER,
            title=f"Regional Sales Director, {region_name}",
            hire_date=hire,
            team=region,
            manager=executive,
        )
    for team_key, (region_key, team_name, manager_name, reps) in TEAMS.items():
        team = services.team_create(
            org=ctx.org, name=team_name, parent=ctx.teams[region_key], actor=None
        )
        ctx.teams[team_key] = team
        hire, _ = _hire(ctx, Role.MANAGER)
        manager = _add_person(
            ctx,
            f"manager.{team_key}",
            manager_name,
            role=Role.MANAGER,
            title=f"Sales Manager, {team_name}",
            hire_date=hire,
            team=team,
            manager=ctx.people[f"director.{region_key}"],
        )
        for number, rep_name in enumerate(reps, start=1):
            hire, days = _hire(ctx, Role.REP)
            _add_person(
                ctx,
                f"rep.{team_key}.{number}",
                rep_name,
                role=Role.REP,
                title=_rep_title(team_name, days),
                hire_date=hire,
                team=team,
                manager=manager,
            )
    ctx.log(
        f"demo: {len(ctx.people)} people in {len(ctx.teams)} teams at {ORG_NAME}, each with a login"
    )


def demo_org() -> Organization | None:
    return Organization.objects.filter(name=ORG_NAME).first()


def featured_logins(org: Organization) -> list[DemoLogin]:
    """One login per kind of user, so someone trying the demo can see every point of view."""
    team_key = "americas_enterprise"
    picks = [
        (ADMIN[0], "admin: org chart, imports, audit log"),
        (EXECUTIVE[0], "executive: read-only, whole company"),
        (REGIONS["americas"][1], "director: manages the Americas managers"),
        (TEAMS[team_key][2], "manager: one team"),
        (TEAMS[team_key][3][0], "rep: sees their own records"),
    ]
    people = {
        p.email: p
        for p in Person.objects.filter(
            org=org, email__in=[demo_email(n) for n, _ in picks]
        ).select_related("team")
    }
    logins = []
    for name, note in picks:
        person = people.get(demo_email(name))
        if person is None:
            continue  # someone changed the demo by hand; show what is still there
        logins.append(
            DemoLogin(
                email=person.email,
                name=person.full_name,
                role=person.get_role_display(),
                team=person.team.name if person.team else "",
                note=note,
            )
        )
    return logins
