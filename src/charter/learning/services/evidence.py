"""Attaching, replacing and removing the evidence file of a completion or a certificate.

The file is written before the database row names it, and the file it replaces is deleted only
once the transaction has committed: a rollback leaves the row naming the old file, which is
still there, and the new file (named by nothing) is removed at once."""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction

from charter.core import audit
from charter.learning import evidence
from charter.learning.models import Certificate, Completion

_FIELDS = ["evidence_filename", "evidence_type", "evidence_size"]


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
