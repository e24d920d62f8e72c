"""A private note is read by its author alone: every page and API endpoint of the 1:1s, for
every persona, shows its text only to Mona, who wrote it; emails and the audit log never
carry it."""

from __future__ import annotations

import pytest
from django.core import mail
from tests.permission_matrix.rows import MATRIX
from tests.permission_matrix.rows.meetings import coming
from tests.permission_matrix.urls import all_endpoints, url_for
from tests.permission_matrix.world import World, client_as, world  # noqa: F401

from charter.core.models import AuditEvent
from charter.meetings import emails
from charter.meetings.models import Note

SECRET = "Mona's secret"
PERSONAS = (
    "anonymous", "rep", "rep2", "manager", "other_manager", "other_team_rep", "admin", "executive",
)  # fmt: skip


def _meeting_urls(w: World) -> list[str]:
    urls = []
    for endpoint in all_endpoints():
        if not endpoint.name.startswith(("meetings:", "api:meetings-")):
            continue
        urls.append(url_for(endpoint, MATRIX[endpoint.name], w))
    meeting = coming(w)
    # The lists filtered to the meeting, as a client of the API would ask.
    urls += [
        f"/api/v1/meetings/notes/?meeting={meeting.pk}",
        f"/api/v1/meetings/agenda/?meeting={meeting.pk}",
        f"/api/v1/meetings/meetings/?series={meeting.series_id}",
    ]
    return urls


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_author_reads_a_private_note_anywhere(world, persona):  # noqa: F811
    urls = _meeting_urls(world)
    assert Note.objects.filter(body=SECRET, private=True, author=world.manager).exists()
    client = client_as(world, persona)
    seen = []
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if (
            SECRET.encode() in response.content
            or SECRET.replace("'", "&#x27;").encode() in response.content
        ):
            seen.append(url)
    if persona == "manager":
        # Mona sees her own note on the meeting page and in the API's notes.
        assert any("/api/v1/meetings/notes/" in url for url in seen)
        assert any(url.startswith("/meetings/") for url in seen)
    else:
        assert seen == [], f"{persona} read the private note at {seen}"


def test_the_reminder_and_the_audit_log_never_carry_a_note(world):  # noqa: F811
    meeting = coming(world)
    emails.meeting_reminder(meeting=meeting)
    assert mail.outbox
    for message in mail.outbox:
        assert SECRET not in message.body
        assert all(
            SECRET not in str(content) for content, _ in getattr(message, "alternatives", [])
        )
    assert not AuditEvent.objects.filter(after__icontains="secret").exists()
    assert "Shared matrix note" not in " ".join(str(m.body) for m in mail.outbox)
