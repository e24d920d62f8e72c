"""Forms of the reviews pages; the services check the rules, these read the input."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from charter.expectations.models import Audience, Document
from charter.org.models import Role, Team
from charter.reviews.models import TemplateVersion


class CycleForm(forms.Form):
    name = forms.CharField(max_length=200)
    period = forms.CharField(max_length=12, help_text="For example 2017-Q2 or FY2018.")
    template_version = forms.ModelChoiceField(queryset=TemplateVersion.objects.none())
    audience = forms.ChoiceField(choices=Audience.choices)
    audience_team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    audience_role = forms.ChoiceField(choices=[("", "—"), *Role.choices], required=False)
    self_due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    manager_due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    sharing_due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template_version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = TemplateVersion.objects.filter(template__org=org).select_related(
            "template"
        )
        teams = self.fields["audience_team"]
        assert isinstance(teams, forms.ModelChoiceField)
        teams.queryset = Team.objects.filter(org=org)


class GenerateForm(forms.Form):
    name = forms.CharField(max_length=200)
    document = forms.ModelChoiceField(queryset=Document.objects.none(), required=False)

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Document.objects.filter(org=org, versions__isnull=False).distinct()


class TemplateEditForm(forms.Form):
    content = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text="The sections and questions as JSON: kinds rating, text, kpis, values, "
        "expectations; rated kinds list one anchor text per level in `scale`.",
    )
    reason = forms.CharField(max_length=300)

    def clean_content(self) -> Any:
        try:
            return json.loads(self.cleaned_data["content"])
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from None


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    disagrees = forms.BooleanField(required=False, label="I disagree with this review")
