"""Review templates (versioned questions), review cycles over a period, and each participant's
review: the questions expanded for them at launch, their self review, their manager's review and
the KPI scorecard frozen when the manager review opens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from charter.expectations.models import Audience, ImmutableError


class QuestionKind(models.TextChoices):
    RATING = "rating", "Rating on a scale"
    TEXT = "text", "Written answer"
    KPIS = "kpis", "KPI results of the period (frozen scorecard)"
    VALUES = "values", "A rating per company value"
    EXPECTATIONS = "expectations", "A rating per key expectation of the person's document"


# The kinds whose answer is a rating, once expanded for a person.
RATED_KINDS = (QuestionKind.RATING, QuestionKind.VALUES, QuestionKind.EXPECTATIONS)


class ReviewTemplate(models.Model):
    """A named review form; its questions live in its versions."""

    org = models.ForeignKey(
        "org.Organization", on_delete=models.CASCADE, related_name="review_templates"
    )
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TemplateVersion(models.Model):
    """One published set of questions. Never edited: an edit publishes the next number, and a
    cycle keeps the version it was created with."""

    template = models.ForeignKey(ReviewTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # {"sections": [{"title", "questions": [{"key", "kind", "text", "scale": [anchor, ...]}]}]}
    content = models.JSONField()
    reason = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="reviews_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Cycles point at a version for their whole life: what they asked must not move.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableError("A published template version never changes; publish a new one.")
        super().save(*args, **kwargs)


class Phase(models.TextChoices):
    DRAFT = "draft", "Not launched"
    SELF = "self", "Self review"
    MANAGER = "manager", "Manager review"
    SHARING = "sharing", "Sharing and sign-off"
    CLOSED = "closed", "Closed"


# The order cycles go through; an admin advances one step at a time.
PHASE_ORDER = [Phase.DRAFT, Phase.SELF, Phase.MANAGER, Phase.SHARING, Phase.CLOSED]


class Cycle(models.Model):
    """A review round over one reporting period, for an audience chosen like a document's."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    period_label = models.CharField(max_length=12)
    period_start = models.DateField()
    period_end = models.DateField()
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="cycles"
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.COMPANY)
    audience_team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    audience_role = models.CharField(max_length=12, blank=True)
    self_due = models.DateField()
    manager_due = models.DateField()
    sharing_due = models.DateField()
    phase = models.CharField(max_length=8, choices=Phase.choices, default=Phase.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def due_of(self, phase: str) -> object:
        return {
            Phase.SELF: self.self_due,
            Phase.MANAGER: self.manager_due,
            Phase.SHARING: self.sharing_due,
        }.get(phase)  # type: ignore[call-overload]


class Review(models.Model):
    """One participant's review in a cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reviews")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="reviews")
    # Who writes the manager review: the person's manager at launch, or the new one after a
    # change (the one before is kept in `previous_manager`).
    manager = models.ForeignKey(
        "org.Person", null=True, on_delete=models.PROTECT, related_name="reviews_to_write"
    )
    previous_manager = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The template's questions expanded for this person at launch: a list of
    # {"key", "section", "kind", "text", "scale"} (values and key expectations one item each).
    items = models.JSONField(default=list)
    # The person's scorecard as frozen at the period's close: {"period", "score", "kpis": [...]}.
    kpis = models.JSONField(null=True, blank=True)
    kpis_frozen_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    disagrees = models.BooleanField(default=False)

    class Meta:
        ordering = ["cycle", "person__full_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="reviews_review_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.cycle}"


class Response(models.Model):
    """A self review or a manager review: answers by item key, a draft until submitted."""

    class Kind(models.TextChoices):
        SELF = "self", "Self review"
        MANAGER = "manager", "Manager review"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="responses")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    author = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "kind"], name="reviews_response_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.review}"


class ReminderSent(models.Model):
    """A phase reminder went to a person: at most once per cycle, phase and person."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    phase = models.CharField(max_length=8, choices=Phase.choices)
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "phase", "person"], name="reviews_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.phase} reminder to {self.person_id} in cycle {self.cycle_id}"
