"""Sign-in identities, their notification preferences and their API tokens."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("a user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        # Charter has no all-powerful superuser inside the product; `charter createadmin` makes an
        # admin *person*. This exists only because Django's auth framework expects it.
        extra.setdefault("is_superuser", False)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. The person it belongs to (name, role, team) is `org.Person`."""

    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff(self) -> bool:
        return False

    def get_full_name(self) -> str:
        person = getattr(self, "person", None)
        return person.full_name if person else self.email

    def get_short_name(self) -> str:
        return self.get_full_name().split(" ")[0]


class Session(AbstractBaseSession):
    """A browser's session, as Django keeps it, plus the signed-in user's id beside the signed
    text, so that every session of a login can be ended at once (sign-out everywhere on a
    deactivation, a password set or an email change). The signed text stays what says who is
    signed in."""

    # No constraint in the database: a session saved while its user is being deleted keeps a
    # dangling id and signs nobody in, instead of failing the save. Deleting a user still
    # deletes their sessions (Django cascades).
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )

    @classmethod
    def get_session_store_class(cls) -> Any:
        from charter.accounts.sessions import SessionStore

        return SessionStore


class NotificationPreferences(models.Model):
    """What a person wants to hear about by email; invitations and password resets always go."""

    class Digest(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        OFF = "off", "Off"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="notification_prefs")
    reminders = models.BooleanField(
        default=True, help_text="Reminders for things due: signatures, trainings, reviews."
    )
    answers = models.BooleanField(
        default=True, help_text="Answers to my questions and replies to my feedback."
    )
    team_alerts = models.BooleanField(
        default=True, help_text="For managers: escalations and overdue items in my team."
    )
    targets = models.BooleanField(
        default=True, help_text="Changes to my targets, with who made them and why."
    )
    digest = models.CharField(max_length=10, choices=Digest.choices, default=Digest.WEEKLY)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """An API credential. Only its SHA-256 is stored; the prefix lets people tell tokens apart."""

    PREFIX = "chr_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class LoginEmailChange(models.Model):
    """One change of a login's email address: who made it, and when. Never changed or deleted:
    a signature made after someone else pointed the login at a new address must stay
    recognisable (`expectations.selectors.signed_after_email_change`)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="email_changes")
    old_email = models.EmailField()
    new_email = models.EmailField()
    # None: the command line or an import without a signed-in actor.
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["user", "changed_at"], name="login_email_change_user_at")]

    def __str__(self) -> str:
        return f"{self.old_email} → {self.new_email}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a login's email change is a record; it never changes")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("a login's email change is a record; it is never deleted")


class RateEvent(models.Model):
    """One counted attempt (a failed sign-in, a password-reset request) for a rate limit that
    holds across processes. The key is a SHA-256 of the address or email, never the address."""

    class Scope(models.TextChoices):
        SIGN_IN_FAILURE = "sign_in_failure", "Failed sign-in for an account"
        RESET_EMAIL = "reset_email", "Password reset asked for an address"
        RESET_CLIENT = "reset_client", "Password reset asked from a client address"

    scope = models.CharField(max_length=20, choices=Scope.choices)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="rate_event_scope_key_at")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]} at {self.at:%Y-%m-%d %H:%M:%S}"

    @staticmethod
    def key_for(value: str) -> str:
        return hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def active(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """A private calendar feed address of a login. Calendar programs cannot sign in, so the
    address itself is the secret: only its SHA-256 is stored, and the whole address is shown
    once when it is made. A login has at most one active feed; making a new one revokes the old,
    so a leaked address is replaced in one step."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
            )
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"Calendar feed of {self.user} ({state})"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()
