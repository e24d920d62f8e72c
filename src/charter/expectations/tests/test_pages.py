"""The expectations pages, for each persona, including who may not."""

import pytest

from charter.conftest import client_for
from charter.expectations import services
from charter.expectations.models import Change, Document, DocumentVersion, Signature
from charter.expectations.tests.conftest import (
    edit_first_expectation,
    fill_document,
    first_expectation,
    sign,
)


@pytest.fixture
def published(company_doc, admin):
    return services.document_publish(
        document=company_doc, actor=admin.user, summary="First version", change=Change.MATERIAL,
        distribute=False,
    )  # fmt: skip


@pytest.fixture
def team_doc(org, teams, manager, values):
    document = services.document_create(
        org=org, actor=manager.user, title="East playbook", audience="team",
        audience_team=teams["east_ent"],
    )  # fmt: skip
    fill_document(document, values, manager.user)
    return document


def test_every_reader_sees_the_document_list_and_page(everyone, published):
    for name, person in everyone.items():
        client = client_for(person)
        listing = client.get("/expectations/")
        assert listing.status_code == 200, name
        assert "How we sell" in listing.content.decode()
        page = client.get(f"/expectations/{published.document_id}/")
        assert page.status_code == 200, name
        assert "Transparency" in page.content.decode()


def test_anonymous_is_sent_to_sign_in(published):
    response = client_for(None).get(f"/expectations/{published.document_id}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_rep_of_another_team_cannot_see_a_team_document(team_doc, other_team_rep, rep, admin):
    services.document_publish(
        document=team_doc, actor=admin.user, summary="v1", change=Change.MATERIAL, distribute=False
    )
    assert client_for(other_team_rep).get(f"/expectations/{team_doc.pk}/").status_code == 404
    assert "East playbook" not in client_for(other_team_rep).get("/expectations/").content.decode()
    assert client_for(rep).get(f"/expectations/{team_doc.pk}/").status_code == 200


def test_manager_edits_own_team_document_but_not_the_company_one(team_doc, company_doc, manager):
    client = client_for(manager)
    assert client.get(f"/expectations/{team_doc.pk}/edit/").status_code == 200
    assert client.get(f"/expectations/{company_doc.pk}/edit/").status_code == 403


def test_rep_and_executive_cannot_edit_or_publish(company_doc, rep, executive):
    for person in (rep, executive):
        client = client_for(person)
        assert client.get(f"/expectations/{company_doc.pk}/edit/").status_code in (403, 404)
        response = client.post(
            f"/expectations/{company_doc.pk}/edit/publish/",
            {"summary": "x", "change": "material", "effective_date": "2027-01-01"},
        )
        assert response.status_code in (403, 404)
    assert not DocumentVersion.objects.exists()


def test_manager_writes_and_publishes_a_team_document_through_the_pages(
    org, teams, manager, values, rep
):
    client = client_for(manager)
    response = client.post(
        "/expectations/new/",
        {"title": "East rules", "audience": "team", "audience_team": teams["east_ent"].pk,
         "default_due_days": 10},
    )  # fmt: skip
    document = Document.objects.get(title="East rules")
    assert response.status_code == 302
    for section in document.sections.filter(provider=""):
        response = client.post(
            f"/expectations/{document.pk}/edit/sections/{section.pk}/expectations/",
            {"title": "Do it", "text": "Do it *well*.", "values": [values["ownership"].pk],
             "measure_text": "Weekly review"},
        )  # fmt: skip
        assert response.status_code == 302, response.content.decode()[:500]
    response = client.post(
        f"/expectations/{document.pk}/edit/publish/",
        {
            "summary": "First",
            "change": "material",
            "effective_date": "2027-01-04",
            "distribute": "on",
        },
    )
    assert response.status_code == 302
    version = document.versions.get()
    assert version.number == 1
    assert "<em>well</em>" in version.rendered_html
    assert version.signature_requests.filter(person=rep).exists()


def test_publishing_with_an_empty_section_shows_why_and_publishes_nothing(org, admin, values):
    document = services.document_create(org=org, actor=admin.user, title="Empty")
    response = client_for(admin).post(
        f"/expectations/{document.pk}/edit/publish/",
        {"summary": "First", "change": "material", "effective_date": "2027-01-04"},
    )
    assert response.status_code == 400
    assert "Nothing was published" in response.content.decode()
    assert "is empty" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_second_editor_sees_both_versions_on_conflict(company_doc, admin, values):
    client = client_for(admin)
    expectation = first_expectation(company_doc)
    url = f"/expectations/{company_doc.pk}/edit/expectations/{expectation.pk}/"
    base = {"values": [values["ownership"].pk], "revision": expectation.revision, "title": "T"}
    assert client.post(url, {**base, "text": "First editor"}).status_code == 302
    response = client.post(url, {**base, "text": "Second editor"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "First editor" in body
    assert "Second editor" in body
    expectation.refresh_from_db()
    assert expectation.text == "First editor"


def test_rep_signs_through_the_page(published, rep):
    client = client_for(rep)
    page = client.get(f"/expectations/{published.document_id}/sign/")
    assert page.status_code == 200
    response = client.post(
        f"/expectations/{published.document_id}/sign/",
        {"typed_name": "Rick Rep", "confirm": "on", "version": "1"},
        HTTP_USER_AGENT="Browser/1.0",
    )
    assert response.status_code == 302
    signature = Signature.objects.get(person=rep)
    assert signature.user_agent == "Browser/1.0"
    assert signature.content_hash == published.content_hash


def test_signing_a_version_that_was_replaced_while_reading_is_refused(
    published, rep, admin, values
):
    expectation = first_expectation(published.document)
    services.expectation_update(
        expectation=expectation, actor=admin.user, expected_revision=expectation.revision,
        title="New", text="New rule", values=[values["growth"]],
    )  # fmt: skip
    services.document_publish(
        document=published.document, actor=admin.user, summary="v2", change=Change.MATERIAL,
        distribute=False,
    )  # fmt: skip
    response = client_for(rep).post(
        f"/expectations/{published.document_id}/sign/",
        {"typed_name": "Rick Rep", "confirm": "on", "version": "1"},
    )
    assert response.status_code == 200
    assert "A newer version (2)" in response.content.decode()
    assert not Signature.objects.exists()
    old = client_for(rep).get(f"/expectations/{published.document_id}/v/1/sign/")
    assert old.status_code == 409
    assert f"/expectations/{published.document_id}/sign/" in old.content.decode()


def test_after_a_material_change_the_sign_page_shows_what_changed(published, rep, admin, values):
    sign(rep, published)
    edit_first_expectation(
        published.document, admin.user, values, "Call every lead within one day."
    )
    services.document_publish(
        document=published.document, actor=admin.user, summary="Faster follow-up",
        change=Change.MATERIAL, distribute=False,
    )  # fmt: skip
    body = client_for(rep).get(f"/expectations/{published.document_id}/sign/").content.decode()
    assert "What changed since you signed version 1" in body
    assert "<ins>" in body
    assert "one" in body


def test_pdf_and_poster_download(published, rep):
    client = client_for(rep)
    pdf = client.get(f"/expectations/{published.document_id}/v/1/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    poster = client.get(f"/expectations/{published.document_id}/v/1/poster/")
    assert poster.content.startswith(b"%PDF")


def test_coverage_is_for_managers_and_up_and_limited_to_their_people(
    published, rep, manager, other_team_rep
):
    assert (
        client_for(rep).get(f"/expectations/{published.document_id}/v/1/coverage/").status_code
        == 403
    )
    body = (
        client_for(manager)
        .get(f"/expectations/{published.document_id}/v/1/coverage/")
        .content.decode()
    )
    assert "Rick Rep" in body
    assert "Olga Other" not in body
    csv = client_for(manager).get(f"/expectations/{published.document_id}/v/1/coverage.csv")
    assert "Rick Rep" in csv.content.decode()
    assert "Olga Other" not in csv.content.decode()


def test_rep_asks_a_private_question_and_the_manager_answers(
    published, rep, rep2, manager, mailoutbox, django_capture_on_commit_callbacks
):
    expectation = first_expectation(published.document)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(rep).post(
            f"/expectations/{published.document_id}/ask/",
            {
                "expectation": str(expectation.key),
                "text": "Does email count?",
                "visibility": "private",
            },
        )
    assert any(manager.email in m.to for m in mailoutbox)
    assert (
        "Does email count?"
        not in client_for(rep2).get(f"/expectations/{published.document_id}/").content.decode()
    )
    inbox = client_for(manager).get("/expectations/questions/").content.decode()
    assert "Does email count?" in inbox
    question = published.document.questions.get()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(manager).post(f"/expectations/questions/{question.pk}/answer/", {"text": "Yes."})
    assert any(rep.email in m.to and "Yes." in m.body for m in mailoutbox)
    assert client_for(rep2).post(
        f"/expectations/questions/{question.pk}/answer/", {"text": "Me too"}
    ).status_code in (403, 404)


def test_change_log_and_compare_render(published, rep):
    client = client_for(rep)
    assert (
        "First version"
        in client.get(f"/expectations/{published.document_id}/changes/").content.decode()
    )
    assert client.get(f"/expectations/{published.document_id}/compare/").status_code == 200


def test_values_page_only_admins_change(values, admin, manager):
    assert client_for(manager).post("/expectations/values/", {"name": "Grit"}).status_code == 403
    assert client_for(admin).post("/expectations/values/", {"name": "Grit"}).status_code == 302
    assert "Grit" in client_for(manager).get("/expectations/values/").content.decode()


def test_home_shows_what_to_sign_and_managers_see_unanswered_questions(published, rep, manager):
    rep_home = client_for(rep).get("/").content.decode()
    assert "Waiting for your signature" in rep_home
    assert f"/expectations/{published.document_id}/sign/" in rep_home
    services.question_ask(
        document=published.document,
        actor=rep.user,
        expectation_key=str(first_expectation(published.document).key),
        text="Does email count?",
        visibility="private",
    )
    manager_home = client_for(manager).get("/").content.decode()
    assert "1</span> unanswered question" in manager_home
    assert "Expectations in your team" not in rep_home


def test_coverage_csv_names_the_version_and_who_signed_it(published, rep, manager):
    sign(rep, published)
    rows = (
        client_for(manager)
        .get(f"/expectations/{published.document_id}/v/1/coverage.csv")
        .content.decode()
        .splitlines()
    )
    header = rows[0].split(",")
    rick = dict(zip(header, next(r for r in rows if "Rick Rep" in r).split(","), strict=True))
    assert rick["document"] == "How we sell"
    assert rick["version"] == "1"
    assert rick["state"] == "signed"
    assert rick["signed_late"] == "no"
    assert rick["latest_version_signed"] == "1"


def test_signing_accepts_the_name_without_accents(published, org, teams, manager, admin):
    from charter.conftest import make_person
    from charter.org.models import Role

    lucia = make_person(org, "Lucía Romero", Role.REP, team=teams["east_ent"], manager=manager)
    services.audience_sync()
    response = client_for(lucia).post(
        f"/expectations/{published.document_id}/sign/",
        {"typed_name": "lucia romero", "confirm": "on", "version": "1"},
    )
    assert response.status_code == 302
    assert Signature.objects.get(person=lucia).typed_name == "lucia romero"


def test_document_list_queries_do_not_grow_with_the_managers_people(
    published, org, teams, manager, django_assert_max_num_queries
):
    from charter.conftest import make_person
    from charter.org.models import Role

    # A document for another team: deciding it is not for this manager looks at their people.
    services.document_create(
        org=org, actor=None, title="West only", audience="team", audience_team=teams["west_mm"]
    )
    client = client_for(manager)
    client.get("/expectations/")  # warm up the session
    with django_assert_max_num_queries(30) as few:
        client.get("/expectations/")
    for n in range(15):
        make_person(org, f"Extra Rep {n}", Role.REP, team=teams["east_ent"], manager=manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/expectations/").content.decode()
    assert "How we sell" in body
    assert "West only" not in body
