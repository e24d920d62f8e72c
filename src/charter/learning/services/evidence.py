"""Attaching, replacing and removing the evidence file of a completion or a certificate.

The file is written before the database row names it, and the file it replaces is deleted only
once the transaction has committed: a rollback leaves the row naming the old file, which is
still there. The new file, named by nothing then, is removed at once when the failure is inside
`evidence_attach`, and by `sweep_orphans` (run by `charter tick`) when an enclosing transaction
rolled back later (Django has no hook for that)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import IO, Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from charter.core import audit
from charter.learning import evidence
from charter.learning.models import Certificate, Completion

_FIELDS = ["evidence_filename", "evidence_type", "evidence_size"]
Record = TypeVar("Record", Completion, Certificate)


def _action(obj: Completion | Certificate, verb: str) -> str:
    kind = "completion" if isinstance(obj, Completion) else "certificate"
    return f"learning.{kind}.{verb}"


def evidence_attach(
    *, obj: Completion | Certificate, actor: Any, upload: IO[bytes], filename: str, size: int
) -> None:
    """Check the file by its content, keep it, and let `obj` name it (replacing any before)."""
    kind = evidence.check(upload, filename, size)
    name = evidence.save(upload, kind)
    try:
        with transaction.atomic():
            before = audit.snapshot(obj, _FIELDS)
            old = obj.evidence_name
            obj.evidence_name = name
            obj.evidence_filename = evidence.display_name(filename)
            obj.evidence_type = evidence.content_type(kind)
            obj.evidence_size = size
            obj.save(update_fields=["evidence_name", *_FIELDS])
            audit.record(
                actor=actor,
                action=_action(obj, "evidence_attached"),
                obj=obj,
                before=before if old else None,
                after=audit.snapshot(obj, _FIELDS),
            )
            if old:
                transaction.on_commit(lambda: evidence.delete(old))
    except BaseException:
        evidence.delete(name)
        raise


def evidence_remove(*, obj: Completion | Certificate, actor: Any) -> None:
    """Forget `obj`'s evidence; the file goes once that is committed. Audited."""
    if not obj.evidence_name:
        return
    with transaction.atomic():
        before = audit.snapshot(obj, _FIELDS)
        old = obj.evidence_name
        obj.evidence_name = obj.evidence_filename = obj.evidence_type = ""
        obj.evidence_size = None
        obj.save(update_fields=["evidence_name", *_FIELDS])
        audit.record(actor=actor, action=_action(obj, "evidence_deleted"), obj=obj, before=before)
        transaction.on_commit(lambda: evidence.delete(old))


def with_evidence(
    write: Callable[[], Record], *, actor: Any, upload: UploadedFile | None
) -> Record:
    """`write()` (a completion reported or corrected, a certificate recorded) and the evidence
    sent with it, as one: a file refused leaves nothing written."""
    if upload is not None:
        evidence.check(upload, upload.name or "", upload.size or 0)
    with transaction.atomic():
        obj = write()
        if upload is not None:
            evidence_attach(
                obj=obj, actor=actor, upload=upload, filename=upload.name or "",
                size=upload.size or 0,
            )  # fmt: skip
    return obj


# Younger files may belong to an upload whose transaction has not committed yet.
ORPHAN_AGE = dt.timedelta(days=1)


def sweep_orphans(*, now: float | None = None) -> int:
    """Delete evidence files no completion or certificate names, older than `ORPHAN_AGE`;
    returns how many."""
    store = evidence.storage()
    named = set(
        Completion.objects.exclude(evidence_name="").values_list("evidence_name", flat=True)
    ) | set(Certificate.objects.exclude(evidence_name="").values_list("evidence_name", flat=True))
    cutoff = (now if now is not None else time.time()) - ORPHAN_AGE.total_seconds()
    removed = 0
    for name in store.listdir("")[1]:
        if name in named or store.get_modified_time(name).timestamp() > cutoff:
            continue
        evidence.delete(name)
        removed += 1
    return removed
