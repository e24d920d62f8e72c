"""New members of an audience (new hires, team moves) are emailed the current version at once,
the same message and PDF as at publishing, logged like a distribution, and only once."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from charter.accounts.models import NotificationPreferences
from charter.conftest import make_person
from charter.expectations import services
from charter.expectations.models import Delivery, Distribution, SignatureRequest
from charter.expectations.render import pdf_filename
from charter.expectations.tests.conftest import fill_document, publish
from charter.org import services as org_services
from charter.org.models import Role


def test_a_new_hire_is_emailed_the_document_with_its_pdf_at_once(
    company_doc, admin, org, teams, manager, mailoutbox, django_capture_on_commit_callbacks
):
    version = publish(company_doc, admin.user)
    newbie = make_person(org, "Nina New", Role.REP, team=teams["east_ent"], manager=manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.audience_sync() == {"requested": 1, "withdrawn": 0}

    assert [m.to for m in mailoutbox] == [[newbie.email]]
    message = mailoutbox[0]
    assert "How we sell" in message.subject
    assert f"/expectations/{company_doc.pk}/sign/" in message.body
    assert "Transparency" in message.alternatives[0][0]
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == (pdf_filename(version), "application/pdf")
    assert content.startswith(b"%PDF")
    delivery = Delivery.objects.get(distribution__version=version, person=newbie)
    assert delivery.status == Delivery.Status.SENT
    assert delivery.sent_at is not None
    assert delivery.distribution.deliveries.count() == 1


def test_the_next_tick_does_not_email_the_new_hire_again(
    company_doc, admin, org, teams, manager, mailoutbox, django_capture_on_commit_callbacks
):
    publish(company_doc, admin.user)
    make_person(org, "Nina New", Role.REP, team=teams["east_ent"], manager=manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.audience_sync()
    distributions = Distribution.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.audience_sync() == {"requested": 0, "withdrawn": 0}
    assert len(mailoutbox) == 1
    assert Distribution.objects.count() == distributions


def test_people_already_asked_are_not_emailed_when_a_newcomer_is(
    company_doc, admin, org, teams, manager, rep, mailoutbox, django_capture_on_commit_callbacks
):
    publish(company_doc, admin.user)
    newbie = make_person(org, "Nina New", Role.REP, team=teams["east_ent"], manager=manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.audience_sync()
    assert [m.to for m in mailoutbox] == [[newbie.email]]
    told = Delivery.objects.get(person=newbie).distribution
    assert list(told.deliveries.values_list("person", flat=True)) == [newbie.pk]
    assert not Delivery.objects.filter(person=rep, status=Delivery.Status.SENT).exists()


def test_a_newcomer_who_turned_off_reminders_is_asked_but_not_emailed(
    company_doc, admin, org, teams, manager, mailoutbox, django_capture_on_commit_callbacks
):
    version = publish(company_doc, admin.user)
    newbie = make_person(org, "Nina New", Role.REP, team=teams["east_ent"], manager=manager)
    assert newbie.user is not None
    NotificationPreferences.objects.create(user=newbie.user, reminders=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.audience_sync() == {"requested": 1, "withdrawn": 0}
    assert SignatureRequest.objects.filter(person=newbie, version=version).exists()
    assert mailoutbox == []
    assert not Delivery.objects.filter(person=newbie).exists()


def test_someone_who_moves_into_a_team_document_audience_is_emailed_it(
    org, teams, manager, other_team_rep, values, mailoutbox, django_capture_on_commit_callbacks
):
    document = services.document_create(
        org=org, actor=manager.user, title="East", audience="team", audience_team=teams["east_ent"]
    )
    fill_document(document, values, manager.user)
    version = publish(document, manager.user)
    org_services.person_update(person=other_team_rep, actor=None, team=teams["east_ent"])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.audience_sync(document=document) == {"requested": 1, "withdrawn": 0}
    assert [m.to for m in mailoutbox] == [[other_team_rep.email]]
    assert "East" in mailoutbox[0].subject
    assert Delivery.objects.get(person=other_team_rep).distribution.version == version


def test_a_new_hire_receives_the_document_over_a_real_smtp_server(
    smtp_server, company_doc, admin, org, teams, manager, django_capture_on_commit_callbacks
):
    version = publish(company_doc, admin.user)
    newbie = make_person(org, "Nina New", Role.REP, team=teams["east_ent"], manager=manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.audience_sync()

    ((_mail_from, recipients, raw),) = smtp_server.messages
    assert recipients == [newbie.email]
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert "How we sell" in str(message["Subject"])
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert f"/expectations/{company_doc.pk}/sign/" in text.get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    delivery = Delivery.objects.get(distribution__version=version, person=newbie)
    assert delivery.status == Delivery.Status.SENT
