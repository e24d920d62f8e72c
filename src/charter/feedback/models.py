"""Feedback people give each other, requests for it, and recognition badges and their awards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Kind(models.TextChoices):
    PRAISE = "praise", "Praise"
    CONSTRUCTIVE = "constructive", "Constructive"


class Visibility(models.TextChoices):
    # The recipient (and the giver, who wrote it) only.
    PRIVATE = "private", "Private to the recipient"
    # Besides, the managers above the recipient in the reporting line.
    MANAGERS = "managers", "The recipient and their managers"
    # Everyone in the organization: praise only.
    PUBLIC = "public", "Public praise feed"


class FeedbackRequest(models.Model):
    """Someone asked for feedback about `subject` (themselves, or a report of a manager)."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    asked_by = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    asked = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="feedback_requests"
    )
    topic = models.CharField(max_length=200)
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Set when the reminder near the due date went, so `charter tick` sends it once.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["asked", "answered_at"])]

    def __str__(self) -> str:
        return f"feedback on {self.topic!r} about {self.subject} asked of {self.asked}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class Feedback(models.Model):
    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    giver = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="feedback_received"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    visibility = models.CharField(max_length=8, choices=Visibility.choices)
    text = models.TextField()
    values = models.ManyToManyField("expectations.Value", related_name="+")
    expectation = models.ForeignKey(
        "expectations.Expectation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    request = models.ForeignKey(
        FeedbackRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    # The organization's local day it was given: the day the KPI metrics count it on.
    given_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "visibility", "created_at"]),
            models.Index(fields=["recipient", "given_on"]),
            models.Index(fields=["giver", "given_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(giver=models.F("recipient")),
                name="feedback_not_to_oneself",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=Kind.CONSTRUCTIVE, visibility=Visibility.PUBLIC),
                name="feedback_constructive_never_public",
            ),
        ]

    def __str__(self) -> str:
        # Neutral: audit rows and admin lists name it, and a private one is its recipient's.
        return f"feedback {self.pk}"


class Criterion(models.TextChoices):
    # Awarded by hand only.
    NONE = "", "None (awarded by managers)"
    # A won deal whose reporting amount is at least `threshold`: awarded once, for the first.
    FIRST_DEAL_OVER = "first_deal_over", "First deal won over an amount"
    # A closed period where the person's KPI `kpi_key` reached `threshold` percent of target:
    # awarded once per closed period.
    KPI_ATTAINMENT = "kpi_attainment", "KPI attainment in a closed period"


# The vendored icons under static/feedback/icons/: key → what it shows.
ICONS = (
    ("star", "Star"),
    ("trophy", "Trophy"),
    ("rocket", "Rocket"),
    ("handshake", "Handshake"),
    ("heart", "Heart"),
    ("lightbulb", "Light bulb"),
    ("shield", "Shield"),
    ("target", "Target"),
)


class Badge(models.Model):
    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    icon = models.CharField(max_length=20, choices=ICONS)
    value = models.ForeignKey("expectations.Value", on_delete=models.PROTECT, related_name="+")
    criterion = models.CharField(max_length=20, choices=Criterion.choices, blank=True)
    threshold = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    kpi_key = models.CharField(max_length=60, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "org", name="feedback_badge_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Award(models.Model):
    """A badge given to a person for one achievement. `achievement` names it ("deal:AC-1",
    "close:2026-Q2", or the words of a manager's reason), so the same achievement is never
    rewarded twice with the same badge."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    badge = models.ForeignKey(Badge, on_delete=models.PROTECT, related_name="awards")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    achievement = models.CharField(max_length=200)
    reason = models.CharField(max_length=300)
    # None: awarded by `charter tick` because the badge's criterion was met.
    awarded_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-awarded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "badge", "achievement"], name="feedback_award_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.badge} for {self.person}"
