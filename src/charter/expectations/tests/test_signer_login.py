"""A signature names the login that gave it and the address that login had, inside the hash
chain; signatures made after someone else changed the login's address are pointed out."""

from __future__ import annotations

from django.core.management import call_command

from charter.conftest import client_for
from charter.expectations import services
from charter.expectations.models import Change, Signature, SignatureRequest
from charter.expectations.services.signatures import GENESIS
from charter.expectations.tests.conftest import edit_first_expectation, publish, sign
from charter.expectations.tests.test_signature_chain import relink, rewrite_as_format_1
from charter.org import services as org_services


def test_a_signature_records_its_login_and_address_in_the_chain(company_doc, admin, rep):
    version = publish(company_doc, admin.user)
    signature = sign(rep, version)

    assert (signature.user_id, signature.user_email, signature.chain_format) == (
        rep.user.pk,
        "rick.rep@acme.test",
        2,
    )
    assert services.verify_chain().ok
    # Pointing the record at another login or address breaks the chain.
    Signature.objects.filter(pk=signature.pk).update(user_email="attacker@evil.example")
    assert services.verify_chain().first_bad_id == signature.pk
    Signature.objects.filter(pk=signature.pk).update(
        user_email="rick.rep@acme.test", user=admin.user
    )
    assert services.verify_chain().first_bad_id == signature.pk


def test_an_email_change_after_signing_leaves_the_signature_as_it_was(company_doc, admin, rep):
    version = publish(company_doc, admin.user)
    signature = sign(rep, version)

    org_services.person_update(person=rep, actor=admin.user, email="rick@new.test")

    signature.refresh_from_db()
    assert signature.user_email == "rick.rep@acme.test"
    assert services.verify_chain().ok


def test_signatures_of_the_first_format_still_verify_before_newer_ones(
    company_doc, admin, rep, rep2
):
    version = publish(company_doc, admin.user)
    old = sign(rep, version)
    new = sign(rep2, version)
    prev = rewrite_as_format_1(old, GENESIS)
    relink([new], prev)

    assert services.verify_chain().ok


def test_a_newer_signature_rewritten_in_the_first_format_does_not_verify(
    company_doc, admin, rep, rep2
):
    version = publish(company_doc, admin.user)
    first = sign(rep, version)
    second = sign(rep2, version)
    # Dropping the login from the payload and recomputing every hash after it is caught.
    rewrite_as_format_1(second, first.chain_hash)
    relink([second], first.chain_hash)
    Signature.objects.filter(pk=second.pk).update(chain_format=1)

    check = services.verify_chain()

    assert not check.ok
    assert check.first_bad_id == second.pk
    assert "format" in check.reason


def test_a_carried_over_signature_names_the_original_login_and_address(
    company_doc, admin, rep, values
):
    version = publish(company_doc, admin.user)
    original = sign(rep, version)
    org_services.person_update(person=rep, actor=admin.user, email="rick@new.test")
    edit_first_expectation(company_doc, admin.user, values, "Reworded, same meaning.")

    v2 = publish(company_doc, admin.user, change=Change.EDITORIAL)

    carried = SignatureRequest.objects.get(person=rep, version=v2).signature
    assert carried.carried_over_from_id == original.pk
    assert (carried.user_id, carried.user_email) == (rep.user.pk, "rick.rep@acme.test")
    assert services.verify_chain().ok


def test_a_signature_after_an_admin_changed_the_login_email_is_pointed_out(
    company_doc, admin, rep, rep2, manager, capsys
):
    version = publish(company_doc, admin.user)
    before = sign(rep2, version)
    org_services.person_update(person=rep, actor=admin.user, email="rick@new.test")
    rep.user.refresh_from_db()
    after = sign(rep, version)

    call_command("verify_signatures")
    out = capsys.readouterr().out

    assert "OK: 2 signatures verify." in out
    assert "NOTE: 1 signature was made after someone other than the signer" in out
    assert f"signature #{after.pk} by Rick Rep" in out
    assert "from rick.rep@acme.test to rick@new.test by ada.admin@acme.test" in out
    assert f"signature #{before.pk}" not in out

    page = client_for(manager).get(f"/expectations/{company_doc.pk}/v/1/coverage/")
    body = page.content.decode()
    assert "signed after Ada Admin changed the login's email to rick@new.test" in body
    assert body.count("changed the login") == 1


def test_an_admin_changing_their_own_address_raises_no_doubt(company_doc, admin, capsys):
    version = publish(company_doc, admin.user)
    org_services.person_update(person=admin, actor=admin.user, email="ada@new.test")
    admin.user.refresh_from_db()
    sign(admin, version)

    call_command("verify_signatures")

    assert "NOTE" not in capsys.readouterr().out
