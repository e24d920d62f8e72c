from __future__ import annotations

import math
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.template.defaultfilters import pluralize

from charter.accounts.models import NotificationPreferences
from charter.core import registry


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        from charter.accounts import services

        email = self.cleaned_data.get("username")
        if not email:
            return super().clean()
        # Checked before the password, and from any client address: see `sign_in_wait`.
        wait = services.sign_in_wait(email=email)
        if wait.total_seconds() > 0:
            seconds = max(1, math.ceil(wait.total_seconds()))
            raise forms.ValidationError(
                f"Too many failed sign-ins for this account. Try again in {seconds} seconds, "
                "or reset your password by email.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if getattr(self.request, "axes_locked_out", False):
                raise
            services.sign_in_failed(email=email)
            warning = self._last_attempt_warning(email)
            if warning is None:
                raise
            raise forms.ValidationError([*error.error_list, warning]) from error
        services.sign_in_failures_clear(email=email)
        return cleaned

    def _last_attempt_warning(self, email: str) -> forms.ValidationError | None:
        """Said before the attempt that keeps the person out, not after: they may rather
        reset their password than guess once more."""
        from charter.accounts.selectors import sign_in_failures_left

        if self.request is None:
            return None
        limit = sign_in_failures_left(request=self.request, email=email)
        if limit.left != 1:
            return None
        if limit.locks_address:
            minutes = settings.LOGIN_LOCKOUT_MINUTES
            lasts = f"for {minutes} minute{pluralize(minutes)}"
        else:
            seconds = settings.LOGIN_ACCOUNT_BASE_DELAY_SECONDS
            lasts = f"for {seconds} seconds, and longer after each further failure"
        return forms.ValidationError(
            f"One attempt left: another wrong password blocks sign-in to this account {lasts}. "
            "If you are not sure of the password, reset it by email instead.",
            code="last_attempt",
        )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Type it again"


class NotificationPreferencesForm(forms.ModelForm):
    """Only the preferences some app sends emails under (`core.registry.email_topic`), each
    saying what it covers: a feature that does not exist yet offers nothing to turn off."""

    class Meta:
        model = NotificationPreferences
        fields = ["reminders", "answers", "team_alerts", "targets", "digest"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            topics = registry.email_topics.get(name)
            if not topics:
                del self.fields[name]
                continue
            text = "; ".join(topics)
            self.fields[name].help_text = f"{text[:1].upper()}{text[1:]}."


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="Where the token is used, e.g. “Weekly export script”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    read_only = forms.BooleanField(
        required=False,
        initial=True,
        label="Read-only",
        help_text="A read-only token can read but never change anything.",
    )
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Expires after (days)",
        help_text="Leave empty for a token that works until you revoke it.",
    )

    def __init__(self, *args: Any, may_write: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_write:
            # A disabled field ignores what is posted and keeps its initial value (True).
            self.fields["read_only"].disabled = True
            self.fields["read_only"].help_text = "Your role is read-only, so are your tokens."
