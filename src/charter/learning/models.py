"""Learning data: the training catalogue and the completions people report or import."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Kind(models.TextChoices):
    COURSE = "course", "Course"
    INSTRUCTOR_LED = "instructor_led", "Instructor-led session"
    E_LEARNING = "e_learning", "E-learning"
    CONFERENCE = "conference", "Conference"
    READING = "reading", "Reading"
    SHADOWING = "shadowing", "Shadowing"


class Training(models.Model):
    """Something a person can learn from: a course, a session, a book, a day shadowing.

    A company training (no team) is for everyone; a team training belongs to that team and the
    teams below it, and its managers keep it up to date."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An optional short code (an LMS course id) that imports may name instead of the title.
    code = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.COURSE)
    description = models.TextField(blank=True, help_text="Markdown.")
    provider = models.CharField(max_length=120, blank=True)
    link = models.URLField(max_length=500, blank=True)
    expected_hours = models.DecimalField(max_digits=6, decimal_places=2)
    values = models.ManyToManyField("expectations.Value", related_name="+", blank=True)
    expectations = models.ManyToManyField("expectations.Expectation", related_name="+", blank=True)
    # Normalised tags between commas (",negotiation,onboarding,") so one tag is one exact
    # `contains` lookup without a table of its own.
    tags = models.CharField(max_length=400, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(Lower("title"), "org", name="learning_training_title_unique"),
            models.UniqueConstraint(
                Lower("code"),
                "org",
                name="learning_training_code_unique",
                condition=~models.Q(code=""),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]


class WithEvidence(models.Model):
    """An evidence file (a PDF or an image of a certificate) kept in the private evidence folder
    under a random name (`learning.evidence`): the name, never the file, is in the database, and
    only the evidence view hands the file out, to whoever may read it."""

    evidence_name = models.CharField(max_length=100, blank=True)
    # What the uploader called it, kept for the download's name; never used as a path.
    evidence_filename = models.CharField(max_length=200, blank=True)
    # The type its content was checked to be, sent as the download's Content-Type.
    evidence_type = models.CharField(max_length=40, blank=True)
    evidence_size = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_name)


class Source(models.TextChoices):
    SELF_REPORT = "self_report", "Reported by the person"
    IMPORT = "import", "Imported from the LMS"
    SESSION = "session", "Attended a session"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Sent back"


class Completion(WithEvidence):
    """A person finished a training on a day, for so many hours: reported by them and approved
    by their manager, or imported from the LMS (approved as it comes). Only approved ones count
    towards hours and requirements."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.TextField(blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    import_run = models.ForeignKey(
        "core.ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            # The same training twice on one day is the same completion reported twice; an
            # import finds the row it updates by these three.
            models.UniqueConstraint(
                fields=["person", "training", "completed_on"], name="learning_completion_once"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "completed_on"]),
            models.Index(fields=["org", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.training} on {self.completed_on}"


class Scope(models.TextChoices):
    COMPANY = "company", "Everyone in the company"
    ROLE = "role", "A role"
    TEAM = "team", "A team and the teams below it"


class HoursPeriod(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Fiscal year"


class DueRule(models.TextChoices):
    ABSOLUTE = "absolute", "By a date"
    AFTER_HIRE = "after_hire", "Within days of the hire date"
    AFTER_JOIN = "after_join", "Within days of joining the team"


class Requirement(models.Model):
    """What a company, a role or a team asks people to learn. Its content lives in its
    versions: a change is a new version from a day on, so past compliance stays as it was."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    scope = models.CharField(max_length=8, choices=Scope.choices)
    role = models.CharField(max_length=12, blank=True)
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class RequirementVersion(models.Model):
    """A requirement's content from `effective_from` on, until a later version; written once.
    An inactive version ends the requirement from its day on."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField()
    is_active = models.BooleanField(default=True)
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    hours_period = models.CharField(max_length=8, choices=HoursPeriod.choices, blank=True)
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["requirement_id", "effective_from", "id"]

    def __str__(self) -> str:
        return f"{self.requirement} from {self.effective_from}"


class RequiredTraining(models.Model):
    """A training a requirement version asks for, and by when: a date, or so many days after
    the person's hire date or after they joined their team."""

    version = models.ForeignKey(
        RequirementVersion, on_delete=models.CASCADE, related_name="trainings"
    )
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="+")
    due_rule = models.CharField(max_length=12, choices=DueRule.choices)
    due_date = models.DateField(null=True, blank=True)
    due_days = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["version_id", "id"]

    def __str__(self) -> str:
        return f"{self.training} ({self.get_due_rule_display()})"


class Certification(models.Model):
    """A certification people can hold (a vendor badge, a licence), valid for so many months
    from its issue date; a certificate is "expiring" within `expiring_days` of its end."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    issuer = models.CharField(max_length=120, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        help_text="How long a certificate lasts from its issue date."
    )
    expiring_days = models.PositiveSmallIntegerField(
        default=60, help_text="How long before its end a certificate shows as expiring."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "org", name="learning_certification_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Certificate(WithEvidence):
    """A person holds a certification from `issued_on` to `expires_on` (inclusive). A renewal
    is a new certificate; the newest one of a certification is the one that counts."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="certificates"
    )
    issued_on = models.DateField()
    expires_on = models.DateField()
    credential_id = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["expires_on", "id"]
        indexes = [models.Index(fields=["org", "expires_on"])]

    def __str__(self) -> str:
        # The audit log keeps this text: a person's name, not their id, reads in it.
        return f"{self.certification} of {self.person.full_name} until {self.expires_on}"


class CertificateAlert(models.Model):
    """An expiry alert already sent for a certificate (60, 30 or 7 days before, or on expiry),
    so `charter tick` sends each exactly once."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="alerts")
    stage = models.CharField(max_length=8)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "stage"], name="learning_certificate_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} alert for {self.certificate_id}"


class RequiredCertification(models.Model):
    """A certification a requirement version asks people to hold (a valid certificate), and by
    when: a date, or so many days after the hire date or after joining the team."""

    version = models.ForeignKey(
        RequirementVersion, on_delete=models.CASCADE, related_name="certifications"
    )
    certification = models.ForeignKey(
        "learning.Certification", on_delete=models.PROTECT, related_name="+"
    )
    due_rule = models.CharField(max_length=12, choices=DueRule.choices)
    due_date = models.DateField(null=True, blank=True)
    due_days = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["version_id", "id"]

    def __str__(self) -> str:
        return f"{self.certification} ({self.get_due_rule_display()})"


class TrainingSession(models.Model):
    """A scheduled run of a training: when and where, for how many people, led by whom.
    `sequence` grows with every change people must hear about, as calendar programs expect of
    an invitation they already hold."""

    org = models.ForeignKey("org.Organization", on_delete=models.CASCADE, related_name="+")
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The IANA zone it is planned in ("Europe/Paris"): shown to people and written in the .ics.
    time_zone = models.CharField(max_length=64)
    location = models.CharField(max_length=300, blank=True)
    video_link = models.URLField(max_length=500, blank=True)
    capacity = models.PositiveIntegerField()
    facilitator = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="learning_session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="learning_session_capacity_positive"
            ),
        ]
        indexes = [models.Index(fields=["org", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.training} on {self.starts_at:%Y-%m-%d}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    WAITLISTED = "waitlisted", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "Did not come"
    EXCUSED = "excused", "Excused"


class Enrolment(models.Model):
    """A person's place in a session, or on its waiting list. `queue` is the arrival order
    (given under the session's row lock, so two people never share one); the first waiting
    person moves up when a place frees. One row per person and session: enrolling again after
    cancelling reuses it, at the back of the queue, so its calendar UID stays the same."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="enrolments"
    )
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=EnrolmentStatus.choices)
    queue = models.PositiveIntegerField()
    attendance = models.CharField(max_length=8, choices=Attendance.choices, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The approved completion attending wrote, so another answer can take it back.
    completion = models.ForeignKey(
        Completion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sequence = models.PositiveIntegerField(default=0)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session_id", "queue"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="learning_enrolment_once"),
            models.UniqueConstraint(fields=["session", "queue"], name="learning_enrolment_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.session} ({self.status})"
