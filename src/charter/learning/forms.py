from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from charter.expectations.models import Expectation, Value
from charter.learning import evidence
from charter.learning.models import Certification, DueRule, HoursPeriod, Kind, Scope, Training
from charter.org.models import Person, Role, Team


class EvidenceField(forms.FileField):
    """An evidence file, checked by its content (`learning.evidence.check`) as the form is."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            f"Optional: a PDF, PNG or JPEG of at most {evidence.max_bytes() // (1024 * 1024)} MB.",
        )
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": evidence.ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            try:
                evidence.check(upload, upload.name or "", upload.size or 0)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["evidence"]) from None
        return upload


class EvidenceForm(forms.Form):
    """Replace a record's evidence file, or remove it."""

    evidence = EvidenceField(label="Evidence file")
    remove = forms.BooleanField(required=False, label="Remove the evidence file")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("evidence") and not data.get("remove"):
            raise ValidationError("Choose a file, or remove the one there is.")
        return data


class TrainingForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.COURSE)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="The whole company",
        help_text="A team training is for that team and the teams below it.",
    )
    expected_hours = forms.DecimalField(
        min_value=Decimal("0.25"), max_value=Decimal("2000"), decimal_places=2, max_digits=6
    )
    code = forms.CharField(
        max_length=40, required=False, help_text="Optional: the course id your LMS exports."
    )
    provider = forms.CharField(max_length=120, required=False)
    link = forms.URLField(max_length=500, required=False, assume_scheme="https")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text="Markdown."
    )
    tags = forms.CharField(
        max_length=400, required=False, help_text="Separated by commas: negotiation, onboarding."
    )
    values = forms.ModelMultipleChoiceField(queryset=Value.objects.none(), required=False)
    expectations = forms.ModelMultipleChoiceField(
        queryset=Expectation.objects.none(), required=False
    )

    def __init__(self, *args: Any, teams: Any, values: Any, expectations: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["values"].queryset = values  # type: ignore[attr-defined]
        self.fields["expectations"].queryset = expectations  # type: ignore[attr-defined]


class CompletionForm(forms.Form):
    training = forms.ModelChoiceField(queryset=Training.objects.none())
    completed_on = forms.DateField(
        label="Completed on", widget=forms.DateInput(attrs={"type": "date"})
    )
    hours = forms.DecimalField(max_digits=5, decimal_places=2)
    score = forms.DecimalField(
        max_digits=5, decimal_places=2, required=False, help_text="Optional, from 0 to 100."
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence = EvidenceField(label="Evidence file")

    def __init__(self, *args: Any, trainings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["training"].queryset = trainings  # type: ignore[attr-defined]


class ResubmitForm(forms.Form):
    completed_on = forms.DateField(
        label="Completed on", widget=forms.DateInput(attrs={"type": "date"})
    )
    hours = forms.DecimalField(max_digits=5, decimal_places=2)
    score = forms.DecimalField(max_digits=5, decimal_places=2, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence = EvidenceField(label="Evidence file", help_text="Optional: replaces the one sent.")


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("return", "Send back")])
    review_note = forms.CharField(max_length=1000, required=False)


class RequirementContentForm(forms.Form):
    effective_from = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day it applies from.",
    )
    hours = forms.DecimalField(
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text="Hours of learning asked per period.",
    )
    hours_period = forms.ChoiceField(
        choices=[("", "—"), *HoursPeriod.choices],
        required=False,
        label="Per",
        help_text="On the company's fiscal calendar.",
    )
    trainings = forms.ModelMultipleChoiceField(queryset=Training.objects.none(), required=False)
    due_rule = forms.ChoiceField(choices=DueRule.choices, required=False, label="Trainings due")
    due_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due date"
    )
    due_days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, label="Days after the hire date or joining"
    )
    certifications = forms.ModelMultipleChoiceField(
        queryset=Certification.objects.none(),
        required=False,
        help_text="Held with a valid certificate.",
    )
    certification_due_rule = forms.ChoiceField(
        choices=DueRule.choices, required=False, label="Certifications due"
    )
    certification_due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Certifications due date",
    )
    certification_due_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Certifications: days after the hire date or joining",
    )

    def __init__(
        self, *args: Any, trainings: Any, certifications: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainings"].queryset = trainings  # type: ignore[attr-defined]
        if certifications is not None:
            self.fields["certifications"].queryset = certifications  # type: ignore[attr-defined]

    def content(self) -> dict[str, Any]:
        from charter.learning.services.requirements import Ask, CertificationAsk

        data = self.cleaned_data
        return {
            "effective_from": data["effective_from"],
            "hours": data["hours"],
            "hours_period": data["hours_period"],
            "asks": [
                Ask(training=t, due_rule=data["due_rule"] or DueRule.ABSOLUTE,
                    due_date=data["due_date"], due_days=data["due_days"])
                for t in data["trainings"]
            ],
            "certifications": [
                CertificationAsk(
                    certification=c,
                    due_rule=data["certification_due_rule"] or DueRule.ABSOLUTE,
                    due_date=data["certification_due_date"],
                    due_days=data["certification_due_days"],
                )
                for c in data["certifications"]
            ],
        }  # fmt: skip


class RequirementForm(RequirementContentForm):
    name = forms.CharField(max_length=200)
    scope = forms.ChoiceField(choices=Scope.choices, label="Applies to")
    role = forms.ChoiceField(choices=[("", "—"), *Role.choices], required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    field_order = ["name", "scope", "role", "team"]

    def __init__(self, *args: Any, teams: Any, scopes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["scope"].choices = [  # type: ignore[attr-defined]
            (k, v) for k, v in Scope.choices if k in scopes
        ]


class RevisionForm(RequirementContentForm):
    ends = forms.BooleanField(required=False, label="End the requirement from that day")
    reason = forms.CharField(max_length=300)


class CertificationForm(forms.Form):
    name = forms.CharField(max_length=200)
    issuer = forms.CharField(max_length=120, required=False)
    validity_months = forms.IntegerField(min_value=1, max_value=240, label="Valid for (months)")
    expiring_days = forms.IntegerField(
        min_value=1, max_value=365, initial=60, label="Expiring from (days before the end)"
    )


class CertificateForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none())
    certification = forms.ModelChoiceField(queryset=Certification.objects.none())
    issued_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty: the certification's validity from the issue date.",
    )
    credential_id = forms.CharField(max_length=120, required=False, label="Credential id")
    evidence = EvidenceField(label="Evidence file")

    def __init__(self, *args: Any, people: Any, certifications: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["certification"].queryset = certifications  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    """When and where a session runs. The times are wall-clock times in its time zone."""

    starts_at = forms.DateTimeField(
        label="Starts", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Ends", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    time_zone = forms.CharField(
        label="Time zone", max_length=64, help_text="An IANA name, e.g. Europe/Paris."
    )
    location = forms.CharField(label="Location", max_length=300, required=False)
    video_link = forms.URLField(
        label="Video link", max_length=500, required=False, assume_scheme="https"
    )
    capacity = forms.IntegerField(label="Capacity (people)", min_value=1, max_value=10_000)
    facilitator = forms.ModelChoiceField(label="Facilitator", queryset=Person.objects.none())

    def __init__(self, *args: Any, facilitators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = facilitators  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        from charter.learning.services.sessions import zone_or_error

        data = super().clean() or {}
        name = (data.get("time_zone") or "").strip()
        try:
            zone = zone_or_error(name)
        except ValidationError as exc:
            self.add_error("time_zone", exc.message_dict["time_zone"])
            return data
        data["time_zone"] = name
        # The browser sends wall-clock times: they are in the session's zone, not the server's.
        for field in ("starts_at", "ends_at"):
            if data.get(field) is not None:
                data[field] = data[field].replace(tzinfo=None).replace(tzinfo=zone)
        return data


class EnrolForm(forms.Form):
    """Whom to enrol: oneself when left empty, or one of one's people."""

    person = forms.ModelChoiceField(label="Person", queryset=Person.objects.none(), required=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


def _attendance_choices() -> list[tuple[str, str]]:
    from charter.learning.models import Attendance

    return list(Attendance.choices)


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(label="Attendance", choices=_attendance_choices)
