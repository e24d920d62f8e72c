"""KPI engine data: metric rollups, KPI definitions (versioned), targets (revised, never edited),
closed periods with their frozen scorecards, and the scorecard settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Immutable(models.Model):
    """A row that is written once: a change is a new row, history is never rewritten."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError(f"a {type(self).__name__} is never changed; add a new one")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"a {type(self).__name__} is never deleted")


class MetricVector(models.Model):
    """One column per metric of `kpis.metrics.METRICS`, in stored units (see its `scale`).
    A wide row per (person, day) rather than a row per metric: a quarter's scorecards for the
    whole org read a few thousand rows instead of millions."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    deals_won_count = models.BigIntegerField(default=0)
    deals_won_amount = models.BigIntegerField(default=0)
    deals_lost_count = models.BigIntegerField(default=0)
    won_cycle_days_sum = models.BigIntegerField(default=0)
    won_cycle_count = models.BigIntegerField(default=0)
    pipeline_created_count = models.BigIntegerField(default=0)
    pipeline_created_amount = models.BigIntegerField(default=0)
    activities_count = models.BigIntegerField(default=0)
    activities_call_count = models.BigIntegerField(default=0)
    activities_email_count = models.BigIntegerField(default=0)
    activities_meeting_count = models.BigIntegerField(default=0)
    activities_demo_count = models.BigIntegerField(default=0)
    csat_count = models.BigIntegerField(default=0)
    csat_score_sum = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class DailyMetrics(MetricVector):
    """The metrics of one person on one day (the organization's calendar day)."""

    day = models.DateField()

    class Meta:
        # Only the (person, day) index: every read names the person, and each extra index would
        # be paid on every import.
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="kpis_daily_person_day")
        ]

    def __str__(self) -> str:
        return f"metrics of person {self.person_id} on {self.day}"


class MonthlyMetrics(MetricVector):
    """The same sums per calendar month (`month` is its first day). Every period is whole
    months, so a period's figures are a handful of these rows."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="kpis_monthly_person_month")
        ]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"metrics of person {self.person_id} in {self.month:%Y-%m}"


class ContributedMetrics(models.Model):
    """The amount of one metric another app contributes (`kpis.registry`) for one person on
    one day, in stored units. A narrow row per metric, unlike the CRM's wide rows: an app adds
    metrics without a migration here, and its records are few beside the CRM's facts."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    metric = models.CharField(max_length=64)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "day", "metric"], name="kpis_contributed_person_day_metric"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} of person {self.person_id} on {self.day}"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    MONEY = "money", "Money"
    PERCENT = "percent", "Percent"
    DAYS = "days", "Days"
    POINTS = "points", "Points"


class KpiDefinition(models.Model):
    """A KPI's identity: its key never changes; everything else lives in its versions."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=60)
    builtin = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["org", "key"], name="kpis_kpi_key_unique")]

    def __str__(self) -> str:
        return self.key


class KpiVersion(Immutable):
    """What a KPI means from `effective_from` on: its formula over metrics, unit, direction,
    status thresholds (fractions of target) and weight in the overall score."""

    definition = models.ForeignKey(KpiDefinition, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    formula = models.CharField(max_length=500)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    decimals = models.PositiveSmallIntegerField(default=0)
    # Status from the projected attainment: ahead at or above `threshold_ahead`, on track at or
    # above `threshold_on_track`, at risk at or above `threshold_at_risk`, else behind.
    threshold_ahead = models.DecimalField(max_digits=6, decimal_places=3, default="1.100")
    threshold_on_track = models.DecimalField(max_digits=6, decimal_places=3, default="0.950")
    threshold_at_risk = models.DecimalField(max_digits=6, decimal_places=3, default="0.800")
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    # The most one KPI's attainment may add to the overall score (1.5 = 150%); the attainment
    # shown is never capped.
    score_cap = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    active = models.BooleanField(default=True)
    effective_from = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["definition_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="kpis_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class Target(models.Model):
    """The goal of one person or one team for one KPI in one period. Its value lives in its
    revisions; the period's target is their day-weighted average (see `kpis.scoring.prorate`)."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(KpiDefinition, on_delete=models.CASCADE, related_name="targets")
    person = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_label = models.CharField(max_length=12)
    period_kind = models.CharField(max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    # The period's target kept ready for org-wide scorecards, which would otherwise read and
    # prorate ten thousand revisions: the sum over the period's days of the value in effect on
    # each, in ten-thousandths (see `scoring.day_total`). Written with each revision, in the
    # same transaction; the revisions stay the record.
    day_total = models.BigIntegerField(null=True, editable=False)

    class Meta:
        ordering = ["period_start", "kpi_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(team__isnull=True))
                | (Q(person__isnull=True) & Q(team__isnull=False)),
                name="kpis_target_one_subject",
            ),
            models.UniqueConstraint(
                fields=["kpi", "person", "period_label"],
                condition=Q(person__isnull=False),
                name="kpis_target_person_unique",
            ),
            models.UniqueConstraint(
                fields=["kpi", "team", "period_label"],
                condition=Q(team__isnull=False),
                name="kpis_target_team_unique",
            ),
        ]
        # Covering what an org-wide scorecard reads (`selectors.targets._org_targets_by_label`):
        # a year page of monthly targets reads 120,000 rows straight from the index, never
        # the table.
        indexes = [
            models.Index(
                fields=["org", "period_label", "person", "team", "kpi", "day_total"],
                name="kpis_target_period_read",
            )
        ]

    def __str__(self) -> str:
        # Read in the audit feed ("set the target of …"), so it names whose target it is.
        if self.person is not None:
            subject = self.person.full_name
        else:
            subject = self.team.name if self.team is not None else ""
        return f"{self.kpi.key} target of {subject}, {self.period_label}"


class TargetRevision(Immutable):
    """A target value from `effective_from` on, with who set it and why."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="revisions")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    effective_from = models.DateField()
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target_id", "effective_from", "id"]

    def __str__(self) -> str:
        return f"{self.value} from {self.effective_from}"


class PeriodClose(models.Model):
    """A closed period: its scorecards were frozen at `closed_at`."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=12)
    kind = models.CharField(max_length=8)
    start = models.DateField()
    end = models.DateField()
    closed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["org", "label"], name="kpis_period_close_unique")
        ]

    def __str__(self) -> str:
        return self.label


class ScorecardSnapshot(Immutable):
    """One subject's scorecard as it stood when the period closed. `figures` holds, per KPI key,
    actual/target/attainment/pace/forecast/status and the metric sums behind them."""

    class Subject(models.TextChoices):
        PERSON = "person", "Person"
        TEAM = "team", "Team"
        ORG = "org", "Organization"

    close = models.ForeignKey(PeriodClose, on_delete=models.CASCADE, related_name="snapshots")
    subject = models.CharField(max_length=6, choices=Subject.choices)
    person = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    figures = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["close", "subject"])]

    def __str__(self) -> str:
        return f"{self.subject} scorecard at close {self.close_id}"


class LeaderboardVisibility(models.TextChoices):
    EVERYONE = "everyone", "Everyone sees the leaderboards with names"
    MANAGERS = "managers", "Managers, admins and executives only"
    OFF = "off", "Nobody (leaderboards are off)"


class ScorecardSettings(models.Model):
    """Org-wide choices about scorecards."""

    org = models.OneToOneField("org.Organization", on_delete=models.CASCADE, related_name="+")
    leaderboard_visibility = models.CharField(
        max_length=10, choices=LeaderboardVisibility.choices, default=LeaderboardVisibility.MANAGERS
    )
    # Close every month, quarter and fiscal year this many days after it ends (0: the day
    # after), from `charter tick`; None: periods close only by hand. Off unless an admin turns it
    # on: a close cannot be undone, and figures that arrive after it show as restatements, so
    # the grace period has to fit how late the organization's CRM data comes in.
    auto_close_after_days = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"scorecard settings of {self.org_id}"


class Seasonality(models.TextChoices):
    DAYS = "days", "By days"
    SHARES = "shares", "A share per month"
    LAST_YEAR = "last_year", "Last year's actuals"


class SeasonalityProfile(Immutable):
    """How a KPI's target set for a longer period is shared among its shorter periods, from
    `effective_from` on (see `kpis.cascade`): by days, by a weight per calendar month, or by the
    organization's actuals of the same months a year earlier."""

    kpi = models.ForeignKey(KpiDefinition, on_delete=models.CASCADE, related_name="seasonality")
    method = models.CharField(max_length=10, choices=Seasonality.choices)
    # Twelve weights as decimal text, January first (for `shares` only): what matters is each
    # month's weight against the others in the longer period, not their total.
    shares = models.JSONField(default=list, blank=True)
    effective_from = models.DateField()
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kpi_id", "effective_from", "id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} from {self.effective_from}"
