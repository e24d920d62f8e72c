"""Facts from the CRM: deals, activities and customer-satisfaction responses, each attributed to
a person (or kept unmatched until an admin says who the CRM owner is), plus exchange rates."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class DealStage(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class ActivityKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    DEMO = "demo", "Demo"
    TASK = "task", "Task"
    OTHER = "other", "Other"


def unmatched_owner_index(table: str) -> models.Index:
    """The owner keys of rows nobody owns yet, the only rows ever looked up by owner key (the
    unmatched-owners page, an alias claiming them). Partial: a matched row, nearly every row of
    an import, costs no write in it."""
    return models.Index(
        fields=["org", "owner_key"],
        condition=models.Q(owner__isnull=True),
        name=f"{table}_unmatched_owner",
    )


class OwnedFact(models.Model):
    """What every fact shares: where it came from, whose it is, and which import wrote it."""

    # No single-column indexes on org and owner: the unique (org, source, external_id) and the
    # (owner, date) indexes of each table serve those lookups, and every index costs each import.
    org = models.ForeignKey(
        "org.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The system the row came from ("salesforce", "hubspot", "pipedrive", "file"); with the
    # external id it identifies the row, so a re-import updates instead of duplicating.
    source = models.CharField(max_length=40)
    external_id = models.CharField(max_length=120)
    owner = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The owner exactly as the CRM wrote it, and normalised (lower case, single spaces) so
    # unmatched rows group together and a later alias can claim them in one update.
    owner_raw = models.CharField(max_length=200, blank=True)
    owner_key = models.CharField(max_length=200, blank=True)
    import_run = models.ForeignKey(
        "core.ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Deal(OwnedFact):
    """An opportunity: its stage (open, won, lost), amount and dates."""

    stage = models.CharField(max_length=8, choices=DealStage.choices)
    raw_stage = models.CharField(max_length=120, blank=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)
    # The amount in the organization's reporting currency, fixed at import time.
    amount_reporting = models.DecimalField(max_digits=18, decimal_places=2)
    # Empty when the export gave neither a created date nor an age to count back from: the
    # KPIs that need it leave the deal out and say how many they left out.
    created_date = models.DateField(null=True, blank=True, help_text="Created or engaged date.")
    close_date = models.DateField(null=True, blank=True)
    account = models.CharField(max_length=200, blank=True)
    product = models.CharField(max_length=200, blank=True)
    lead_source = models.CharField(max_length=120, blank=True)
    name = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-close_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "source", "external_id"], name="crm_deal_source_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["owner", "close_date"]),
            models.Index(fields=["owner", "created_date"]),
            models.Index(fields=["org", "stage", "close_date"]),
            unmatched_owner_index("crm_deal"),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.source} deal {self.external_id}"


class Activity(OwnedFact):
    """A call, email, meeting or other logged sales activity."""

    kind = models.CharField(max_length=10, choices=ActivityKind.choices)
    raw_kind = models.CharField(max_length=120, blank=True)
    occurred_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "source", "external_id"], name="crm_activity_source_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["owner", "occurred_at"]),
            unmatched_owner_index("crm_activity"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.external_id}"


class CsatResponse(OwnedFact):
    """A customer-satisfaction survey answer about a person's work."""

    score = models.DecimalField(max_digits=6, decimal_places=2)
    scale = models.PositiveSmallIntegerField(default=5, help_text="The best possible score.")
    date = models.DateField()
    account = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "source", "external_id"], name="crm_csat_source_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["owner", "date"]),
            unmatched_owner_index("crm_csat"),
        ]

    def __str__(self) -> str:
        return f"CSAT {self.score}/{self.scale} ({self.external_id})"


class ExchangeRate(models.Model):
    """How many units of the reporting currency one unit of `currency` was worth from a date."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8)
    valid_from = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "currency", "valid_from"], name="crm_rate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} from {self.valid_from}"
