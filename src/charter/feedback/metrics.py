"""Feedback's metrics for the KPI engine (`kpis.registry`): feedback given, counted for its
giver, and feedback received, counted for its recipient, each on the day it was given.

Every piece counts, whatever its visibility: a metric is a count, and the explain pages list
only each record's kind and day, never its text nor the other person, so a private feedback
stays its recipient's. Registered from `FeedbackConfig.ready`: the KPI engine never imports
this app.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from django.db.models import Q

from charter.feedback.models import Feedback
from charter.kpis.library import Builtin
from charter.kpis.metrics import COUNT, Metric
from charter.kpis.registry import Amount, Contributor

if TYPE_CHECKING:
    from charter.org.models import Organization

GIVEN = "feedback_given"
RECEIVED = "feedback_received"
_SHOWS = (("kind", "Kind"),)


METRICS = (
    Metric(
        GIVEN,
        "Feedback given",
        COUNT,
        1,
        Feedback,
        "given_on",
        Q(),
        "",
        "Praise and constructive feedback a person gave, on the day given.",
        owner="giver",
        shows=_SHOWS,
    ),
    Metric(
        RECEIVED,
        "Feedback received",
        COUNT,
        1,
        Feedback,
        "given_on",
        Q(),
        "",
        "Praise and constructive feedback a person received, on the day given.",
        owner="recipient",
        shows=_SHOWS,
    ),
)


BUILTINS = (
    Builtin(
        "feedback_given",
        "Feedback given",
        GIVEN,
        "count",
        description="Praise and constructive feedback given to colleagues in the period. Off "
        "until an admin turns it on: counting feedback as a performance figure is the "
        "organization's choice.",
        active=False,
    ),
)


def feedback_amounts(feedback: Feedback, sign: int = 1) -> Iterator[Amount]:
    """What one feedback adds: one given for its giver, one received for its recipient."""
    yield feedback.giver_id, feedback.given_on, GIVEN, sign
    yield feedback.recipient_id, feedback.given_on, RECEIVED, sign


def amounts(org: Organization, person_ids: Sequence[int]) -> Iterable[Amount]:
    """Every amount of these people, from the feedback they gave and received (a rebuild)."""
    wanted = set(person_ids)
    rows = (
        Feedback.objects.filter(org=org)
        .filter(Q(giver_id__in=wanted) | Q(recipient_id__in=wanted))
        .order_by()
        .values_list("giver_id", "recipient_id", "given_on")
    )
    for giver_id, recipient_id, day in rows.iterator(chunk_size=5_000):
        if giver_id in wanted:
            yield giver_id, day, GIVEN, 1
        if recipient_id in wanted:
            yield recipient_id, day, RECEIVED, 1


CONTRIBUTOR = Contributor("feedback", metrics=METRICS, amounts=amounts, builtins=BUILTINS)
