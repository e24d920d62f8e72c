from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from charter.expectations.models import Expectation, Value
from charter.learning.models import Kind, Training
from charter.org.models import Team


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


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("return", "Send back")])
    review_note = forms.CharField(max_length=1000, required=False)
