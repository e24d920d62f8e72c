"""The organization: its teams (a tree), its people and how CRM owners map to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    REP = "rep", "Sales rep"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"
    EXECUTIVE = "executive", "Executive"


class RepTeamTotals(models.TextChoices):
    """Which teams' scorecards (totals only, never each member's row) a rep may open."""

    OWN_TEAM = "own_team", "Their own team only"
    TEAMS_ABOVE = "teams_above", "Their own team and the teams above it (such as their region)"


class Organization(models.Model):
    """The company running Charter. One per installation today; every row keys to it."""

    name = models.CharField(max_length=200)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1, help_text="1 = January. Quarters and fiscal years count from this month."
    )
    reporting_currency = models.CharField(max_length=3, default="USD")
    time_zone = models.CharField(max_length=64, default="UTC")
    # The totals of a team above a rep's own include sibling teams' figures, which some
    # organizations keep from reps: so only the rep's own team unless an admin opens them.
    rep_team_totals = models.CharField(
        max_length=12, choices=RepTeamTotals.choices, default=RepTeamTotals.OWN_TEAM
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A node of the team tree: a region, a team, a pod."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "org", name="org_team_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Someone in the org chart, with or without a login yet."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    full_name = models.CharField(max_length=200)
    # Optional until the person is invited; unique (case-insensitively) when present.
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=120, blank=True)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    hire_date = models.DateField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    leave_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "org",
                name="org_person_email_unique_ci",
                condition=~models.Q(email=""),
            ),
        ]
        indexes = [models.Index(fields=["org", "manager"]), models.Index(fields=["org", "team"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def first_name(self) -> str:
        return self.full_name.split(" ")[0]

    @property
    def initials(self) -> str:
        parts = [p for p in self.full_name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper()

    @property
    def has_login(self) -> bool:
        return self.user_id is not None and self.user is not None and self.user.is_active


class OwnerAlias(models.Model):
    """A name, email or CRM user id under which a CRM export names this person as owner."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        CRM_ID = "crm_id", "CRM user id"
        NAME = "name", "Name"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="owner_aliases")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="owner_aliases")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Normalised (lower-case, single spaces) so matching is a plain equality lookup.
    value = models.CharField(max_length=200)
    source = models.CharField(max_length=60, blank=True, help_text="e.g. salesforce, hubspot")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["org", "kind", "value"], name="org_owner_alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} → {self.person}"


class Invitation(models.Model):
    """An invitation emailed to a person so they can set a password and sign in."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation of {self.email}"


class DataVersion(models.Model):
    """How many times the data an organization's figures are computed from has changed; pages
    computed from it are cached under this number (`org.versions`)."""

    org = models.OneToOneField(
        Organization, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version {self.version} of {self.org_id}"
