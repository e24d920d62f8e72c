"""1:1 data: a series per manager-report pair, its versioned cadence, the meetings generated
from it, and each meeting's agenda, notes and action items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WeekOfMonth(models.IntegerChoices):
    # Monthly 1:1s fall on the nth weekday of the month; "last" rather than a 5th, because a
    # 5th Tuesday is missing from most months and a meeting that vanishes is worse than one
    # that moves a week.
    FIRST = 1, "First"
    SECOND = 2, "Second"
    THIRD = 3, "Third"
    FOURTH = 4, "Fourth"
    LAST = -1, "Last"


class Series(models.Model):
    """The recurring 1:1 between one manager and one of their reports, until it ends."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    manager = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "series"
        constraints = [
            models.UniqueConstraint(
                fields=["manager", "report"],
                condition=models.Q(ended_on__isnull=True),
                name="meetings_series_one_open_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"1:1 {self.manager} / {self.report}"


class Cadence(models.Model):
    """One version of a series' rhythm, in effect from a day until the next version's day.
    Versions are never edited: a change is a new row, so past meetings keep the rule that
    made them."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="cadences")
    effective_from = models.DateField()
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    week_of_month = models.SmallIntegerField(choices=WeekOfMonth.choices, null=True, blank=True)
    local_time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    time_zone = models.CharField(max_length=64)
    reason = models.CharField(max_length=200, blank=True)
    # The invitation's SEQUENCE: grows when a later version ends this one's recurrence.
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["series", "effective_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "effective_from"], name="meetings_cadence_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} from {self.effective_from}"

    @property
    def uid(self) -> str:
        """The invitation's UID for this version's recurring event, the same for ever."""
        return f"charter-1on1-{self.series_id}-{self.pk}@charter"


class Status(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    SKIPPED = "skipped", "Skipped"


class Meeting(models.Model):
    """One occurrence of a series: generated from a cadence at `slot`, perhaps moved to
    `start`, then held or skipped."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="meetings")
    cadence = models.ForeignKey(Cadence, on_delete=models.PROTECT, related_name="meetings")
    # Where the rule put it (the invitation's RECURRENCE-ID); unique per series, so generating
    # ahead twice never makes a meeting twice.
    slot = models.DateTimeField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    skip_reason = models.CharField(max_length=200, blank=True)
    # The single occurrence's SEQUENCE in the invitation: grows with each move or skip.
    sequence = models.PositiveIntegerField(default=0)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    agenda_built_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "slot"], name="meetings_meeting_one_per_slot"
            ),
        ]
        indexes = [
            models.Index(fields=["series", "start"]),
            models.Index(fields=["status", "start"]),
        ]

    def __str__(self) -> str:
        return f"1:1 {self.series.manager} / {self.series.report} on {self.start:%Y-%m-%d}"

    @property
    def moved(self) -> bool:
        return self.start != self.slot


class AgendaEntry(models.Model):
    """A talking point of one meeting: proposed by an app from the data (`key` set), or a topic
    one of the two people added (`added_by` set)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    key = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=60, blank=True)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    weight = models.IntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discussed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name_plural = "agenda entries"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "key"],
                condition=~models.Q(key=""),
                name="meetings_agenda_key_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Note(models.Model):
    """What someone wrote about a meeting: shared (both people and the report's managers above
    read it) or private (its author alone, anywhere)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    private = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "created_at", "id"]

    def __str__(self) -> str:
        # Never the body: audit rows and logs show this, and a private note's text is its
        # author's alone.
        return f"{'Private' if self.private else 'Shared'} note #{self.pk}"


class ActionItem(models.Model):
    """Something one of the two people agreed to do, carried to each next meeting of the
    series until it is done."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="action_items")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    owner = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_in = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "done_at"])]

    def __str__(self) -> str:
        return self.title
