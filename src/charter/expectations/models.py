"""Company values, expectations documents, their immutable published versions, signatures and
questions. Drafts are ordinary rows (sections, expectations) that a version freezes into JSON."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImmutableError(Exception):
    """Raised when code tries to change a published version or a signature."""


class Value(models.Model):
    """A company value that expectations are tied to (e.g. "Transparency")."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="values")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="expectations_value_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Audience(models.TextChoices):
    COMPANY = "company", "Whole company"
    TEAM = "team", "A team and its subteams"
    ROLE = "role", "Everyone with a role"


class Document(models.Model):
    """An expectations document for one audience; its draft is edited, its versions are frozen."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.COMPANY)
    audience_team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    audience_role = models.CharField(max_length=12, blank=True)
    default_due_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days people have to sign a new version."
    )
    # Bumped by every draft edit; an edit based on an older revision is a conflict.
    draft_revision = models.PositiveIntegerField(default=1)
    draft_updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    """A section of a document's draft; `provider` sections are generated from live data."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sections")
    # Stable across versions so a diff can tell "changed" from "removed and added".
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="Markdown shown above the expectations.")
    provider = models.CharField(
        max_length=60, blank=True, help_text="Generated from live configuration (e.g. values)."
    )
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Expectation(models.Model):
    """One written expectation in a draft section, tied to values and to how it is measured."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="expectations")
    key = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="Markdown.")
    values = models.ManyToManyField(Value, related_name="expectations", blank=True)
    measure_text = models.CharField(
        max_length=300, blank=True, help_text="How this is measured, in words."
    )
    # A reference into another pillar ("kpi:win_rate", "learning:requirement:3"), resolved by
    # the measure registry so later pillars plug in without changing this app.
    measure_ref = models.CharField(max_length=120, blank=True)
    is_key = models.BooleanField(default=False, help_text="Show on the one-page poster.")
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Change(models.TextChoices):
    MATERIAL = "material", "Material (everyone signs again)"
    EDITORIAL = "editorial", "Editorial (signatures carry over)"


class DocumentVersion(models.Model):
    """A published, immutable version of a document: structured data, rendering and hash."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    summary = models.TextField()
    change = models.CharField(max_length=10, choices=Change.choices)
    effective_date = models.DateField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.JSONField()
    rendered_html = models.TextField()
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document.title} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("a published version never changes; publish a new one")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("a published version is never deleted")


class SignatureRequest(models.Model):
    """A request that one person signs one version by a due date."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="signature_requests"
    )
    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="signature_requests"
    )
    due_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    # Why the request exists: "published", "joined audience", "carried over".
    reason = models.CharField(max_length=40, default="published")
    # Set when a newer version replaced this request before it was signed.
    superseded_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "person"], name="signature_request_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.version}"

    def state(self, today: Any = None) -> str:
        if self.signed_at:
            return "signed"
        if self.superseded_at:
            return "superseded"
        today = today or timezone.localdate()
        return "overdue" if self.due_date < today else "pending"


class Signature(models.Model):
    """A person's signature of one exact version, chained to the previous signature by hash."""

    request = models.OneToOneField(
        SignatureRequest, on_delete=models.PROTECT, related_name="signature"
    )
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="signatures")
    typed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    content_hash = models.CharField(max_length=64)
    carried_over_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    # The login that signed and the address it had at that moment. From chain format 2 on, both
    # are in the hashed payload: changing a login's email later cannot make a signature look
    # as if it came from the new address, nor hide which login gave it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user_email = models.EmailField(blank=True)
    # 1: signatures from before the login was part of the payload; they verify as they were.
    chain_format = models.PositiveSmallIntegerField(default=1)
    prev_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.typed_name} signed {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("a signature never changes")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("a signature is never deleted")


class SignatureChainHead(models.Model):
    """The newest link of the signature chain; locked while a signature is appended."""

    last_hash = models.CharField(max_length=64)
    last_signature = models.ForeignKey(
        Signature, null=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.last_hash


class ReminderSent(models.Model):
    """A reminder or escalation already sent for a request, so `charter tick` never repeats it."""

    request = models.ForeignKey(
        SignatureRequest, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=20)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="reminder_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.request}"


class Question(models.Model):
    """A question someone asked about an expectation."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Everyone the document applies to"
        PRIVATE = "private", "Only my managers"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="questions")
    expectation_key = models.UUIDField(db_index=True)
    expectation_title = models.CharField(max_length=200)
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="questions")
    text = models.TextField()
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when an editor folded the answer into the draft of a later version.
    folded_into_draft_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Question on {self.expectation_title}"


class Answer(models.Model):
    """An answer to a question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


class Distribution(models.Model):
    """One emailing of a version to its audience."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey("core.Job", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Emailing of {self.version}"


class Delivery(models.Model):
    """The outcome of one email of a distribution to one person."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (no email address)"

    distribution = models.ForeignKey(
        Distribution, on_delete=models.CASCADE, related_name="deliveries"
    )
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["person__full_name", "id"]

    def __str__(self) -> str:
        return f"{self.email}: {self.status}"
