"""Writing reviews: saving a draft, submitting it (then it never changes), sharing the manager
review with the person, and the person's sign-off (acknowledged, with a comment or a
disagreement that the manager's manager hears about)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from charter.core import audit
from charter.reviews.models import RATED_KINDS, Phase, QuestionKind, Response, Review

# The phase in which each kind of review is written.
WRITTEN_IN = {Response.Kind.SELF: Phase.SELF, Response.Kind.MANAGER: Phase.MANAGER}
MAX_TEXT = 10_000


class SubmittedError(ValidationError):
    """A submitted review is final: nothing may change it."""


def clean_answers(review: Review, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers by item key: ratings within their item's scale, texts of reasonable length.
    Errors name the item's question."""
    items = {item["key"]: item for item in review.items}
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key, raw in answers.items():
        item = items.get(key)
        if item is None or item["kind"] == QuestionKind.KPIS:
            continue
        value = "" if raw is None else str(raw).strip()
        if value == "":
            continue
        if item["kind"] in RATED_KINDS:
            top = len(item["scale"])
            if not value.isdigit() or not 1 <= int(value) <= top:
                errors[key] = f"{item['text']}: a rating from 1 to {top}."
                continue
            cleaned[key] = int(value)
        else:
            if len(value) > MAX_TEXT or "\x00" in value:
                errors[key] = f"{item['text']}: at most {MAX_TEXT} characters of text."
                continue
            cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _missing(review: Review, answers: dict[str, Any]) -> dict[str, str]:
    return {
        item["key"]: f"{item['text']}: answer this before submitting."
        for item in review.items
        if item["kind"] != QuestionKind.KPIS and item["key"] not in answers
    }


def response_save(
    *, response: Response, actor: Any, answers: dict[str, Any], submit: bool = False
) -> Response:
    """Save the draft (replacing its answers), and submit it when asked and complete."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        review = Review.objects.select_related("cycle").get(pk=locked.review_id)
        if locked.submitted_at is not None:
            raise SubmittedError({"answers": "This review was submitted; it can no longer change."})
        phase = WRITTEN_IN[Response.Kind(locked.kind)]
        if review.cycle.phase != phase:
            raise ValidationError(
                {"answers": f"The {phase.label.lower()} phase is not open in this cycle."}
            )
        cleaned = clean_answers(review, answers)
        if submit:
            missing = _missing(review, cleaned)
            if missing:
                raise ValidationError(missing)
        locked.answers = cleaned
        locked.updated_at = timezone.now()
        if submit:
            locked.submitted_at = locked.updated_at
        locked.save()
        if submit:
            audit.record(
                actor=actor, action="reviews.response.submitted", obj=locked,
                after={"kind": locked.kind, "review": review.pk},
            )  # fmt: skip
    return locked


def review_share(*, review: Review, actor: Any) -> Review:
    """The manager shows the submitted manager review to the person."""
    with transaction.atomic():
        locked = Review.objects.select_for_update().select_related("cycle").get(pk=review.pk)
        if locked.cycle.phase != Phase.SHARING:
            raise ValidationError({"review": "Reviews are shared in the sharing phase."})
        if locked.shared_at is not None:
            raise ValidationError({"review": "This review is already shared."})
        manager = locked.responses.filter(kind=Response.Kind.MANAGER).first()
        if manager is None or manager.submitted_at is None:
            raise ValidationError({"review": "Submit the manager review before sharing it."})
        locked.shared_at = timezone.now()
        locked.save(update_fields=["shared_at"])
        audit.record(actor=actor, action="reviews.review.shared", obj=locked)
    return locked


def review_acknowledge(*, review: Review, actor: Any, comment: str, disagrees: bool) -> Review:
    """The person signs off the shared review; a disagreement tells the manager's manager."""
    comment = comment.strip()
    if "\x00" in comment or len(comment) > MAX_TEXT:
        raise ValidationError({"comment": f"At most {MAX_TEXT} characters of text."})
    if disagrees and not comment:
        raise ValidationError({"comment": "Say what you disagree with."})
    with transaction.atomic():
        locked = Review.objects.select_for_update().select_related("cycle").get(pk=review.pk)
        if locked.shared_at is None:
            raise ValidationError({"review": "The review has not been shared with you yet."})
        if locked.acknowledged_at is not None:
            raise ValidationError({"review": "You already signed off this review."})
        locked.acknowledged_at = timezone.now()
        locked.comment = comment
        locked.disagrees = disagrees
        locked.save(update_fields=["acknowledged_at", "comment", "disagrees"])
        audit.record(
            actor=actor, action="reviews.review.acknowledged", obj=locked,
            after={"disagrees": disagrees, "comment": bool(comment)},
        )  # fmt: skip
        if disagrees:
            from charter.reviews import tasks

            transaction.on_commit(
                lambda rid=locked.pk: tasks.send_disagreement.enqueue(review_id=rid)  # type: ignore[misc]
            )
    return locked
