from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from charter.core.periods import Period, PeriodError, parse_period
from charter.expectations.models import Expectation, Value
from charter.feedback.models import ICONS, Badge, Criterion, Kind, Visibility
from charter.org.models import Person


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's errors on the form's fields; those naming no field of it on the form."""
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class FeedbackForm(forms.Form):
    recipient = forms.ModelChoiceField(queryset=Person.objects.none(), label="To")
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.PRAISE)
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        label="Who may read it",
        help_text="Constructive feedback is never public.",
    )
    values = forms.ModelMultipleChoiceField(
        queryset=Value.objects.none(), help_text="One or more company values it is about."
    )
    expectation = forms.ModelChoiceField(
        queryset=Expectation.objects.none(), required=False, help_text="Optional."
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)

    def __init__(self, *args: Any, org_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Everyone active in the organization, the giver too: the service says why not oneself.
        self.fields["recipient"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            org_id=org_id, is_active=True
        ).order_by("full_name")
        self.fields["values"].queryset = Value.objects.filter(  # type: ignore[attr-defined]
            org_id=org_id, is_active=True
        )
        self.fields["expectation"].queryset = Expectation.objects.filter(  # type: ignore[attr-defined]
            section__document__org_id=org_id
        ).order_by("title", "pk")


class AnswerForm(FeedbackForm):
    """An answer to a request: its recipient is the request's subject."""

    def __init__(self, *args: Any, org_id: int, subject: Person, **kwargs: Any) -> None:
        super().__init__(*args, org_id=org_id, **kwargs)
        self.fields["recipient"].queryset = Person.objects.filter(pk=subject.pk)  # type: ignore[attr-defined]
        self.fields["recipient"].initial = subject.pk
        self.fields["recipient"].disabled = True


class RequestForm(forms.Form):
    subject = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label="About",
        help_text="You, or someone who reports to you.",
    )
    asked = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), label="Ask")
    topic = forms.CharField(max_length=200)
    due_on = forms.DateField(label="Due on", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, subjects: Any, org_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects  # type: ignore[attr-defined]
        self.fields["asked"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            org_id=org_id, is_active=True
        ).order_by("full_name")


class BadgeForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    icon = forms.ChoiceField(choices=ICONS)
    value = forms.ModelChoiceField(queryset=Value.objects.none())
    criterion = forms.ChoiceField(
        choices=Criterion.choices, required=False, label="Awarded automatically when"
    )
    threshold = forms.DecimalField(
        max_digits=18,
        decimal_places=2,
        required=False,
        help_text="The deal amount, or the attainment in percent of target (100 = on target).",
    )
    kpi_key = forms.CharField(
        max_length=60, required=False, label="KPI", help_text="For a KPI attainment criterion."
    )
    is_active = forms.BooleanField(required=False, initial=True, label="In use")

    def __init__(self, *args: Any, org_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].queryset = Value.objects.filter(  # type: ignore[attr-defined]
            org_id=org_id, is_active=True
        )


class AwardForm(forms.Form):
    badge = forms.ModelChoiceField(queryset=Badge.objects.none())
    person = forms.ModelChoiceField(queryset=Person.objects.none())
    reason = forms.CharField(
        max_length=300, help_text="The achievement: the same badge is never given twice for it."
    )

    def __init__(self, *args: Any, badges: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["badge"].queryset = badges  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class PeriodForm(forms.Form):
    """The period of a page, read from the query string (a bad label is an error, not a 500)."""

    period = forms.CharField(max_length=12, required=False)
    value = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, start_month: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_month = start_month

    def clean_period(self) -> Period | None:
        label = self.cleaned_data["period"]
        if not label:
            return None
        try:
            return parse_period(label, self.start_month)
        except PeriodError as exc:
            raise ValidationError(str(exc)) from None
