"""Performance reviews: my reviews, one review, writing it, sharing and sign-off; templates and
cycles for admins.

The review the rows point at is Rick's (the `rep` persona) in an East Enterprise cycle in its
self-review phase: Rick writes it; Mona (his manager) and Eve (the executive, Mona's manager)
read it as the line above him; Omar (another line) and the admin (outside the line) never do."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.permission_matrix.outcomes import (
    ADMIN_PAGE,
    CHANGES,
    LOGIN,
    OK,
    SIGNED_IN,
    By,
    Row,
)
from tests.permission_matrix.world import World

ADMIN_WRITES = By(LOGIN, 403, 403, 403, CHANGES, 403)
API_ADMIN = By(401, 403, 403, 403, OK, 403)
POSTED = By(LOGIN, 405, 405, 405, 405, 405)


def template_version(w: World) -> Any:
    """A template generated from East's document (made on first use)."""
    from charter.reviews.models import TemplateVersion
    from charter.reviews.services.templates import template_generate

    found = TemplateVersion.objects.filter(template__name="Matrix reviews").first()
    if found is None:
        found = template_generate(
            org=w.admin.org, actor=w.admin.user, name="Matrix reviews", document=w.team_doc
        )
    return found


def _cycle(w: World, name: str) -> Any:
    from charter.reviews.models import Cycle
    from charter.reviews.services.cycles import cycle_create

    found = Cycle.objects.filter(name=name).first()
    if found is None:
        found = cycle_create(
            org=w.admin.org, actor=w.admin.user, name=name, period="2017-Q2",
            template_version=template_version(w), self_due=dt.date(2017, 7, 10),
            manager_due=dt.date(2017, 7, 20), sharing_due=dt.date(2017, 7, 31),
            audience="team", audience_team=w.teams["east_ent"],
        )  # fmt: skip
    return found


def draft_cycle(w: World) -> Any:
    return _cycle(w, "Matrix draft")


def rick_review(w: World) -> Any:
    """Rick's review in a launched cycle (self review open)."""
    from charter.reviews.models import Review
    from charter.reviews.services.cycles import cycle_advance

    found = Review.objects.filter(cycle__name="Matrix running", person=w.rep).first()
    if found is None:
        cycle_advance(cycle=_cycle(w, "Matrix running"), actor=w.admin.user)
        found = Review.objects.get(cycle__name="Matrix running", person=w.rep)
    return found


def _cycle_data(w: World) -> dict[str, Any]:
    return {
        "name": "New cycle", "period": "FY2018", "template_version": template_version(w).pk,
        "audience": "company", "self_due": "2018-02-10", "manager_due": "2018-02-20",
        "sharing_due": "2018-02-28",
    }  # fmt: skip


def _template_data(w: World) -> dict[str, Any]:
    import json

    content = {"sections": [{"title": "Overall", "questions": [
        {"kind": "rating", "text": "Overall", "scale": ["Low", "Mid", "High"]}]}]}  # fmt: skip
    return {"content": json.dumps(content), "reason": "Shorter"}


REVIEW = {"review_id": lambda w: rick_review(w).pk}
# Rick, his manager and the executive above her read it; Omar and the admin are outside.
IN_LINE = By(LOGIN, OK, OK, 404, 404, OK)

ROWS: dict[str, Row] = {
    "reviews:mine": Row(get=SIGNED_IN),
    "reviews:review": Row(get=IN_LINE, kwargs=REVIEW),
    # Only Rick writes his self review; to everyone else there is nothing to write here.
    "reviews:respond": Row(
        get=By(LOGIN, OK, 404, 404, 404, 404),
        write=By(LOGIN, CHANGES, 404, 404, 404, 404),
        kwargs={**REVIEW, "kind": lambda w: "self"},
        data=lambda w: {"action": "save"},
    ),
    # Nothing to share or sign off while the self review is open; outside the line, not found.
    "reviews:share": Row(get=POSTED, write=By(LOGIN, 403, 403, 404, 404, 403), kwargs=REVIEW),
    "reviews:acknowledge": Row(get=POSTED, write=By(LOGIN, 403, 403, 404, 404, 403), kwargs=REVIEW),
    "reviews:cycles": Row(get=ADMIN_PAGE, write=ADMIN_WRITES, data=_cycle_data),
    "reviews:cycle": Row(get=ADMIN_PAGE, kwargs={"cycle_id": lambda w: draft_cycle(w).pk}),
    "reviews:cycle_advance": Row(
        get=POSTED, write=ADMIN_WRITES, kwargs={"cycle_id": lambda w: draft_cycle(w).pk}
    ),
    "reviews:templates": Row(
        get=ADMIN_PAGE, write=ADMIN_WRITES, data=lambda w: {"name": "Generated"}
    ),
    "reviews:template": Row(
        get=ADMIN_PAGE,
        write=ADMIN_WRITES,
        kwargs={"template_id": lambda w: template_version(w).template_id},
        data=_template_data,
    ),
    # --- API ------------------------------------------------------------------------------
    "api:reviews-template-list": Row(get=API_ADMIN),
    "api:reviews-template-detail": Row(
        get=API_ADMIN, kwargs={"pk": lambda w: template_version(w).template_id}
    ),
    "api:reviews-cycle-list": Row(get=API_ADMIN),
    "api:reviews-cycle-detail": Row(get=API_ADMIN, kwargs={"pk": lambda w: draft_cycle(w).pk}),
    "api:reviews-review-list": Row(get=By(401, OK, OK, OK, OK, OK)),
    "api:reviews-review-detail": Row(
        get=By(401, OK, OK, 404, 404, OK), kwargs={"pk": lambda w: rick_review(w).pk}
    ),
}
