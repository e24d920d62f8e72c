"""Forms of the 1:1 pages; the services check again what the forms cannot know."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django import forms

from charter.meetings.models import Frequency, Weekday, WeekOfMonth
from charter.org.models import Person

_ZONES = sorted(available_timezones())


class CadenceFields(forms.Form):
    frequency = forms.ChoiceField(choices=Frequency.choices)
    weekday = forms.TypedChoiceField(
        choices=[("", "Choose a day"), *Weekday.choices], coerce=int, label="Day of the week"
    )
    week_of_month = forms.TypedChoiceField(
        choices=[("", "Not monthly"), *WeekOfMonth.choices],
        coerce=int,
        required=False,
        empty_value=None,
        label="Week of the month",
        help_text="Monthly 1:1s only: the first to fourth, or last, such day of the month.",
    )
    local_time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(min_value=5, max_value=240, initial=30, label="Minutes")
    time_zone = forms.ChoiceField(choices=[(z, z) for z in _ZONES])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("frequency") == Frequency.MONTHLY and data.get("week_of_month") is None:
            self.add_error("week_of_month", "A monthly 1:1 needs its week of the month.")
        return data

    def cadence(self) -> dict[str, Any]:
        names = (
            "frequency",
            "weekday",
            "week_of_month",
            "local_time",
            "duration_minutes",
            "time_zone",
        )
        return {name: self.cleaned_data.get(name) for name in names}


class SeriesForm(CadenceFields):
    report = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        empty_label="Everyone in my team without a 1:1",
        label="With",
    )
    starts_on = forms.DateField(label="Starting on", widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["report", "starts_on"]

    def __init__(self, *args: Any, reports: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = reports  # type: ignore[attr-defined]


class CadenceForm(CadenceFields):
    effective_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(max_length=200)

    field_order = ["effective_from", "reason"]


class MoveForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))

    def start(self, zone: str) -> dt.datetime:
        local = dt.datetime.combine(
            self.cleaned_data["day"], self.cleaned_data["time"], tzinfo=ZoneInfo(zone)
        )
        return local.astimezone(dt.UTC)


class SkipForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False)


class TopicForm(forms.Form):
    prefix = "topic"
    title = forms.CharField(max_length=300, label="Topic")
    detail = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class NoteForm(forms.Form):
    prefix = "note"
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Note")
    private = forms.BooleanField(
        required=False,
        label="Private: only I will ever read it",
    )


class ActionForm(forms.Form):
    prefix = "action"
    title = forms.CharField(max_length=300, label="Action")
    owner = forms.ModelChoiceField(queryset=Person.objects.none())
    due_on = forms.DateField(
        required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]
