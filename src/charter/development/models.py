"""Development data: mentor offers and requests, mentorships and their meetings, and
development plans with goals, progress updates and managers' comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"


class MentorshipStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    ENDED_EARLY = "ended_early", "Ended early"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the mentor"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class MentorOffer(models.Model):
    """A person's offer to mentor others on some topics. Withdrawing keeps the row (requests
    made to it still name it); a person has at most one active offer."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    # Normalised topics between commas, like training tags: one topic is one `contains` lookup.
    topics = models.CharField(max_length=400)
    note = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(is_active=True),
                name="development_one_active_offer",
            )
        ]

    def __str__(self) -> str:
        return f"Mentor offer of {self.person.full_name}"

    @property
    def topic_list(self) -> list[str]:
        return [topic for topic in self.topics.split(",") if topic]


class Mentorship(models.Model):
    """A mentor and a mentee working on goals from `starts_on` to `ends_on`, meeting at a
    cadence. Proposed when a manager pairs them (the mentor confirms), active when under way,
    then completed, or ended early with a reason."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    mentee = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    goals = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    cadence = models.CharField(max_length=12, choices=Cadence.choices, default=Cadence.MONTHLY)
    status = models.CharField(
        max_length=12, choices=MentorshipStatus.choices, default=MentorshipStatus.PROPOSED
    )
    end_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(mentor=models.F("mentee")),
                name="development_mentor_is_not_mentee",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="development_mentorship_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["org", "status"])]

    def __str__(self) -> str:
        # The audit log keeps this text: names read in it, not ids.
        return f"{self.mentor.full_name} mentoring {self.mentee.full_name}"


class MentorRequest(models.Model):
    """A person asking a listed mentor to mentor them. The mentor accepts (which starts a
    mentorship) or declines; either way the answer is kept."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(MentorOffer, on_delete=models.CASCADE, related_name="requests")
    mentee = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    goals = models.TextField()
    message = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    answer_note = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    mentorship = models.ForeignKey(
        Mentorship, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "mentee"],
                condition=models.Q(status="pending"),
                name="development_one_pending_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentee.full_name} asking {self.offer.person.full_name}"


class Meeting(models.Model):
    """One meeting of a mentorship, logged by one of the pair: its day and notes (Markdown).
    Written once: a correction is another entry."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="meetings")
    met_on = models.DateField()
    notes = models.TextField(help_text="Markdown.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-met_on", "-id"]

    def __str__(self) -> str:
        return f"Meeting on {self.met_on}"


class Plan(models.Model):
    """A person's development plan from `starts_on`: it belongs to the person and the managers
    above them in the reporting line, nobody else."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    starts_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.person.full_name})"


class Goal(models.Model):
    """A goal of a plan, due by `target_on`, optionally tied to what the company asks for:
    values, expectations, trainings and certifications."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    target_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    values = models.ManyToManyField("expectations.Value", related_name="+", blank=True)
    expectations = models.ManyToManyField("expectations.Expectation", related_name="+", blank=True)
    trainings = models.ManyToManyField("learning.Training", related_name="+", blank=True)
    certifications = models.ManyToManyField("learning.Certification", related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target_on", "id"]
        indexes = [models.Index(fields=["status", "target_on"])]

    def __str__(self) -> str:
        return self.title


class ProgressUpdate(models.Model):
    """The person saying how far a goal has come: a text and a percentage. Written once; the
    newest is the goal's progress."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    percent = models.PositiveSmallIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="development_percent_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.percent}% on {self.goal}"


class GoalComment(models.Model):
    """A manager's comment on a goal of one of their people's plans. Written once."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.goal}"
