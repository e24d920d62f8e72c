from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from charter.expectations.models import Audience, Change, Question, Value
from charter.expectations.registry import measure_choices
from charter.org.models import Role, Team


class ValueForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    order = forms.IntegerField(min_value=0, required=False)


class DocumentCreateForm(forms.Form):
    title = forms.CharField(max_length=200)
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.COMPANY)
    audience_team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, label="Team", help_text="For a team document."
    )
    audience_role = forms.ChoiceField(
        choices=[("", "—"), *Role.choices],
        required=False,
        label="Role",
        help_text="For a role document.",
    )
    default_due_days = forms.IntegerField(
        min_value=1, max_value=365, initial=14, label="Days to sign",
        help_text="How long people have to sign each new version.",
    )  # fmt: skip

    def __init__(self, *args: Any, teams: Any, allowed_audiences: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience_team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["audience"].choices = [  # type: ignore[attr-defined]
            (k, v) for k, v in Audience.choices if k in allowed_audiences
        ]


class DocumentSettingsForm(forms.Form):
    title = forms.CharField(max_length=200)
    default_due_days = forms.IntegerField(min_value=1, max_value=365, label="Days to sign")


class SectionForm(forms.Form):
    title = forms.CharField(max_length=200)
    intro = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Introduction",
        help_text="Markdown. Shown above the section's expectations.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ExpectationForm(forms.Form):
    title = forms.CharField(
        max_length=200, help_text="A short name, e.g. “Follow up within a day”."
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="Markdown: **bold**, lists, links."
    )
    values = forms.ModelMultipleChoiceField(
        queryset=Value.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Which company values this expectation serves.",
    )
    measure_text = forms.CharField(
        max_length=300, required=False, label="How it is measured",
        help_text="In words, e.g. “CRM activity report, weekly”.",
    )  # fmt: skip
    measure_ref = forms.ChoiceField(required=False, label="Measured by")
    is_key = forms.BooleanField(required=False, label="Key expectation (on the poster)")
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["values"].queryset = Value.objects.filter(org=org, is_active=True)  # type: ignore[attr-defined]
        self.fields["measure_ref"].choices = [("", "Nothing linked"), *measure_choices(org)]  # type: ignore[attr-defined]


class PublishForm(forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="What changed, in a sentence or two."
    )
    change = forms.ChoiceField(
        choices=Change.choices,
        widget=forms.RadioSelect,
        initial=Change.MATERIAL,
        label="Kind of change",
    )
    effective_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    distribute = forms.BooleanField(
        required=False, initial=True, label="Email it to everyone it applies to, with the PDF"
    )


class SignForm(forms.Form):
    typed_name = forms.CharField(
        max_length=200,
        label="Type your full name to sign",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    confirm = forms.BooleanField(
        label="I have read this version and I commit to these expectations.",
        error_messages={"required": "Tick the box to confirm."},
    )


class QuestionForm(forms.Form):
    expectation = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Your question")
    visibility = forms.ChoiceField(
        choices=Question.Visibility.choices,
        widget=forms.RadioSelect,
        initial=Question.Visibility.PUBLIC,
    )


class AnswerForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Your answer")
