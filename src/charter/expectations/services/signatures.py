"""Signature requests, signing with a hash chain, audience changes and reminders."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from charter.accounts.emails import wants
from charter.core import audit
from charter.expectations.content import canonical_json
from charter.expectations.models import (
    Change,
    Document,
    DocumentVersion,
    ReminderSent,
    Signature,
    SignatureChainHead,
    SignatureRequest,
)

GENESIS = "0" * 64


def _due(version: DocumentVersion, today: dt.date | None = None) -> dt.date:
    start = max(version.effective_date, today or timezone.localdate())
    return start + dt.timedelta(days=version.document.default_due_days)


def requests_for_new_version(
    *, version: DocumentVersion, previous: DocumentVersion | None, as_of: dt.datetime | None = None
) -> dict[str, int]:
    """Ask the audience to sign `version`. Material (or first): everyone signs again. Editorial:
    signatures of the previous version carry over; only unsigned people are asked."""
    from charter.expectations.selectors import audience_people

    now = as_of or timezone.now()
    due = _due(version, timezone.localdate(now))
    counts = {"requested": 0, "carried_over": 0}
    earlier: dict[int, SignatureRequest] = {}
    if previous is not None:
        earlier = {
            r.person_id: r
            for r in SignatureRequest.objects.filter(version=previous).select_related("signature")
        }
        # Open requests for older versions are replaced by the new version's request.
        SignatureRequest.objects.filter(
            version__document_id=version.document_id,
            signed_at__isnull=True,
            superseded_at__isnull=True,
        ).exclude(version=version).update(superseded_at=now)
    for person in audience_people(version.document):
        old = earlier.get(person.pk)
        editorial = version.change == Change.EDITORIAL
        carry = editorial and old is not None and old.signed_at is not None
        # An editorial change keeps a pending person's deadline; a material one starts afresh.
        keep_due = editorial and old is not None and old.signed_at is None
        request = SignatureRequest.objects.create(
            version=version,
            person=person,
            created_at=now,
            due_date=old.due_date if keep_due and old is not None else due,
            reason="carried over" if carry else "published",
        )
        if carry:
            assert old is not None
            _append_signature(
                request=request,
                typed_name=old.signature.typed_name,
                ip_address=None,
                user_agent="",
                # The carried-over signature stands for the original act, so it names the
                # login and address that gave it.
                user_id=old.signature.user_id,
                user_email=old.signature.user_email,
                carried_over_from=old.signature,
                signed_at=now,
                note=f"Carried over from version {previous.number}: "  # type: ignore[union-attr]
                "the change was editorial.",
            )
            counts["carried_over"] += 1
        else:
            counts["requested"] += 1
    return counts


def audience_sync(*, document: Document | None = None) -> dict[str, int]:
    """Keep signature requests in step with each audience: people who joined it (new hires,
    team moves) are asked to sign the current version; open requests of people who left it
    (moved away, deactivated) are withdrawn. Signatures already given stay as they are."""
    from charter.expectations.selectors import audience_people, current_version
    from charter.expectations.services.distribution import distribution_start

    counts = {"requested": 0, "withdrawn": 0}
    documents = [document] if document is not None else list(Document.objects.all())
    for doc in documents:
        version = current_version(doc)
        if version is None:
            continue
        members = set(audience_people(doc).values_list("pk", flat=True))
        asked = set(
            SignatureRequest.objects.filter(version=version).values_list("person_id", flat=True)
        )
        newcomers = list(
            audience_people(doc).exclude(pk__in=asked).select_related("user__notification_prefs")
        )
        with transaction.atomic():
            for person in newcomers:
                SignatureRequest.objects.create(
                    version=version, person=person, due_date=_due(version), reason="joined audience"
                )
                audit.record(
                    actor=None,
                    action="expectations.signature.requested",
                    obj=person,
                    after={"document": doc.title, "version": version.number, "reason": "joined"},
                )
            # Told at once with the publishing email and its PDF, not first by the reminder three
            # days before the due date. Asked once, so a later tick never emails them again.
            told = [p for p in newcomers if wants(p.user, "reminders")]
            if told:
                distribution_start(version=version, actor=None, people=told)
        counts["requested"] += len(newcomers)
        leavers = SignatureRequest.objects.filter(
            version=version, signed_at__isnull=True, superseded_at__isnull=True
        ).exclude(person_id__in=members)
        for request in leavers.select_related("person"):
            with transaction.atomic():
                SignatureRequest.objects.filter(pk=request.pk).update(superseded_at=timezone.now())
                audit.record(
                    actor=None,
                    action="expectations.signature.withdrawn",
                    obj=request.person,
                    after={"document": doc.title, "version": version.number, "reason": "left"},
                )
            counts["withdrawn"] += 1
    return counts


# The payload the chain hashes. 1: the person, the name they typed, where and what they signed.
# 2 adds the login that signed (user id) and the address it had then, so that a later change of
# the login's email cannot pass a signature off as the new address's, nor hide which login
# gave it. Every signature keeps the format it was made with and verifies under it.
CHAIN_FORMAT = 2


def _link_payload(signature: Signature) -> str:
    """The signature fields the chain hash covers, in a canonical text form."""
    fields: dict[str, Any] = {
        "request": signature.request_id,
        "version": signature.version_id,
        "person": signature.person_id,
        "typed_name": signature.typed_name,
        "signed_at": signature.signed_at.isoformat(),
        "ip": signature.ip_address or "",
        "user_agent": signature.user_agent,
        "content_hash": signature.content_hash,
        "carried_over_from": signature.carried_over_from_id,
        "note": signature.note,
    }
    if signature.chain_format >= 2:
        fields["format"] = signature.chain_format
        fields["user"] = signature.user_id
        fields["user_email"] = signature.user_email
    return canonical_json(fields)


def chain_hash(prev_hash: str, signature: Signature) -> str:
    return hashlib.sha256(f"{prev_hash}|{_link_payload(signature)}".encode()).hexdigest()


def _append_signature(
    *,
    request: SignatureRequest,
    typed_name: str,
    ip_address: str | None,
    user_agent: str,
    user_id: int | None,
    user_email: str,
    carried_over_from: Signature | None = None,
    note: str = "",
    signed_at: dt.datetime | None = None,
) -> Signature:
    """Append to the chain; the head row is locked so concurrent signers link one by one.
    `user_id` and `user_email`: the login that signed and its address at that moment (for a
    carried-over signature, the original's)."""
    head = SignatureChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = SignatureChainHead.objects.create(pk=1, last_hash=GENESIS)
        head = SignatureChainHead.objects.select_for_update().get(pk=1)
    signature = Signature(
        request=request,
        version=request.version,
        person=request.person,
        typed_name=typed_name,
        signed_at=(signed_at or timezone.now()).replace(microsecond=0),
        ip_address=ip_address,
        user_agent=user_agent[:400],
        content_hash=request.version.content_hash,
        carried_over_from=carried_over_from,
        note=note,
        user_id=user_id,
        user_email=user_email,
        chain_format=CHAIN_FORMAT,
        prev_hash=head.last_hash,
    )
    signature.chain_hash = chain_hash(head.last_hash, signature)
    signature.save()
    head.last_hash = signature.chain_hash
    head.last_signature = signature
    head.save(update_fields=["last_hash", "last_signature"])
    SignatureRequest.objects.filter(pk=request.pk).update(signed_at=signature.signed_at)
    request.signed_at = signature.signed_at
    return signature


def _plain(name: str) -> str:
    """A name without case, extra spaces or accents: "Lucía  romero" → "lucia romero"."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _names_match(typed: str, full_name: str) -> bool:
    # Accents are optional: many keyboards cannot type "í", and the name is a deliberate act,
    # not a password.
    return _plain(typed) == _plain(full_name)


def sign(
    *,
    request: SignatureRequest,
    actor: Any,
    typed_name: str,
    ip_address: str | None,
    user_agent: str,
    as_of: dt.datetime | None = None,
) -> Signature:
    """The signer types their full name to sign exactly the version of the request.

    `as_of` records a signature given earlier (the demo's history); pages never pass it."""
    from charter.expectations.selectors import current_version

    person = getattr(actor, "person", None)
    if person is None or person.pk != request.person_id:
        raise PermissionDenied("You can only sign for yourself.")
    if request.signed_at is not None:
        raise ValidationError("You already signed this version.")
    current = current_version(request.version.document)
    if request.superseded_at is not None or (current and current.pk != request.version_id):
        raise ValidationError(
            f"Version {request.version.number} is outdated; sign the current version instead."
        )
    if not _names_match(typed_name, request.person.full_name):
        raise ValidationError(
            {"typed_name": f"Type your full name exactly as Charter knows it: {person.full_name}."}
        )
    with transaction.atomic():
        locked = SignatureRequest.objects.select_for_update().get(pk=request.pk)
        if locked.signed_at is not None:
            raise ValidationError("You already signed this version.")
        signature = _append_signature(
            request=locked,
            typed_name=" ".join(typed_name.split()),
            ip_address=ip_address,
            user_agent=user_agent,
            user_id=actor.pk,
            user_email=actor.email,
            signed_at=as_of,
        )
        audit.record(
            actor=actor,
            action="expectations.signature.signed",
            obj=request.version,
            after={
                "person": person.full_name,
                "version": request.version.number,
                "content_hash": signature.content_hash,
                "chain_hash": signature.chain_hash,
            },
            ip_address=ip_address,
        )
    request.signed_at = signature.signed_at
    return signature


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain() -> ChainCheck:
    """Recompute every link; the first signature that does not verify is reported."""
    prev = GENESIS
    checked = 0
    newest_format = 1
    versions = dict(DocumentVersion.objects.values_list("pk", "content_hash"))
    for signature in Signature.objects.order_by("id").iterator(chunk_size=2000):
        if signature.prev_hash != prev:
            return ChainCheck(False, checked, signature.pk, "its previous-hash link is broken")
        if signature.chain_format < newest_format:
            # Rewriting a newer signature in the older format would drop the login from its
            # hashed payload; signatures only ever move to newer formats.
            return ChainCheck(
                False, checked, signature.pk, "its chain format is older than an earlier one's"
            )
        newest_format = signature.chain_format
        if chain_hash(prev, signature) != signature.chain_hash:
            return ChainCheck(False, checked, signature.pk, "its fields do not match its hash")
        if versions.get(signature.version_id) != signature.content_hash:
            return ChainCheck(
                False, checked, signature.pk, "the signed content hash differs from the version's"
            )
        prev = signature.chain_hash
        checked += 1
    head = SignatureChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev:
        return ChainCheck(False, checked, None, "the chain head does not match the last signature")
    return ChainCheck(True, checked)


# Days relative to the due date at which each reminder goes out (negative: before it).
REMINDER_SCHEDULE = (("before", -3), ("due", 0), ("overdue", 1), ("escalation", 3))


def send_due_reminders(*, today: dt.date | None = None) -> dict[str, int]:
    """Send each reminder once when its day has come; escalate to the manager at the end."""
    from charter.expectations import tasks

    today = today or timezone.localdate()
    sent = {kind: 0 for kind, _ in REMINDER_SCHEDULE}
    open_requests = SignatureRequest.objects.filter(
        signed_at__isnull=True,
        superseded_at__isnull=True,
        person__is_active=True,
        due_date__lte=today + dt.timedelta(days=3),
    ).select_related("person", "person__manager", "version", "version__document")
    done = set(
        ReminderSent.objects.filter(request__in=open_requests).values_list("request_id", "kind")
    )
    for request in open_requests:
        # Only the latest reminder that is due goes out, so a late tick does not send a burst.
        due_kinds = [
            kind
            for kind, offset in REMINDER_SCHEDULE
            if today >= request.due_date + dt.timedelta(days=offset)
        ]
        if not due_kinds:
            continue
        kind = due_kinds[-1]
        if (request.pk, kind) in done:
            continue
        if kind == "escalation" and request.person.manager is None:
            kind = "overdue"
            if (request.pk, kind) in done:
                continue
        with transaction.atomic():
            ReminderSent.objects.create(request=request, kind=kind)
            if kind == "escalation":
                SignatureRequest.objects.filter(pk=request.pk).update(escalated_at=timezone.now())
            verb = "escalated" if kind == "escalation" else "reminded"
            audit.record(
                actor=None,
                action=f"expectations.signature.{verb}",
                obj=request.person,
                after={"document": request.version.document.title, "kind": kind},
            )
            request_id = request.pk
            transaction.on_commit(
                lambda rid=request_id, k=kind: tasks.send_signature_reminder.enqueue(  # type: ignore[misc]
                    request_id=rid, kind=k
                )
            )
        sent[kind] += 1
    return sent


class AlreadyReminded(ValidationError):
    """Someone already reminded this person by hand today: one nudge a day is enough."""


def _manual_kind(today: dt.date) -> str:
    # A reminder sent by hand is kept as a ReminderSent row of its own kind per day, so the
    # once-per-kind constraint also allows one manual nudge a day and never a burst of clicks.
    return f"manual-{today.isoformat()}"


def _email_kind(request: SignatureRequest, today: dt.date) -> str:
    if request.due_date < today:
        return "overdue"
    if request.due_date == today:
        return "due"
    return "before"


def signature_remind(
    *, request: SignatureRequest, actor: Any, today: dt.date | None = None
) -> bool:
    """Remind one person of a signature they still owe, now, on a manager's or admin's click.
    Returns whether an email goes out (False when they turned reminders off). The caller has
    checked `expectations.access.can_remind_signer`."""
    from charter.expectations import tasks

    today = today or timezone.localdate()
    if request.signed_at is not None or request.superseded_at is not None:
        raise ValidationError("This signature is no longer open.")
    kind = _manual_kind(today)
    with transaction.atomic():
        # Locked so two clicks at once cannot both pass the check below.
        SignatureRequest.objects.select_for_update().filter(pk=request.pk).first()
        if ReminderSent.objects.filter(request=request, kind=kind).exists():
            raise AlreadyReminded(f"{request.person.full_name} was already reminded today.")
        ReminderSent.objects.create(request=request, kind=kind)
        audit.record(
            actor=actor,
            action="expectations.signature.reminded",
            obj=request.person,
            after={"document": request.version.document.title, "kind": "manual"},
        )
        emailed = bool(request.person.email) and wants(request.person.user, "reminders")
        if emailed:
            request_id, email_kind = request.pk, _email_kind(request, today)
            transaction.on_commit(
                lambda: tasks.send_signature_reminder.enqueue(
                    request_id=request_id, kind=email_kind
                )
            )
    return emailed
