from __future__ import annotations

from typing import Any

from django import forms

from charter.development.models import Cadence, GoalStatus, MentorshipStatus
from charter.org.models import Person


def _date(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


def _text(rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class OfferForm(forms.Form):
    topics = forms.CharField(
        max_length=400, help_text="Separated by commas: negotiation, enterprise deals, forecasting."
    )
    note = _text(2, required=False, help_text="How you like to mentor, how often you can meet.")


class AskForm(forms.Form):
    goals = _text(3, help_text="What you would like to work on together.")
    message = _text(2, required=False)


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    starts_on = _date("Starts on", required=False)
    ends_on = _date("Ends on", required=False)
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.MONTHLY)
    note = forms.CharField(max_length=1000, required=False)


class PairForm(forms.Form):
    mentor = forms.ModelChoiceField(queryset=Person.objects.none())
    mentee = forms.ModelChoiceField(queryset=Person.objects.none())
    goals = _text(3)
    starts_on = _date("Starts on")
    ends_on = _date("Ends on")
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.MONTHLY)

    def __init__(self, *args: Any, mentors: Any, mentees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors  # type: ignore[attr-defined]
        self.fields["mentee"].queryset = mentees  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (MentorshipStatus.ACTIVE, "Start"),
            (MentorshipStatus.COMPLETED, "Complete"),
            (MentorshipStatus.ENDED_EARLY, "End early"),
        ]
    )
    reason = forms.CharField(max_length=1000, required=False)


class MeetingForm(forms.Form):
    met_on = _date("Met on")
    notes = _text(4, help_text="Markdown. Read by the two of you and the mentee's managers.")


class PlanForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none())
    title = forms.CharField(max_length=200)
    starts_on = _date("Starts on")
    summary = _text(3, required=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class GoalForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = _text(3, required=False)
    target_on = _date("Target date")
    status = forms.ChoiceField(choices=GoalStatus.choices, initial=GoalStatus.NOT_STARTED)
    values = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)
    expectations = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)
    trainings = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)
    certifications = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)

    def __init__(self, *args: Any, choices: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in choices.items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]


class ProgressForm(forms.Form):
    percent = forms.IntegerField(min_value=0, max_value=100, help_text="From 0 to 100.")
    text = _text(2, label="What moved")


class CommentForm(forms.Form):
    text = _text(2, label="Comment")
