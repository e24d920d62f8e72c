"""The signature chain: each signature's hash covers its fields and the hash before it, and the
head names the last one. Whoever edits, deletes, reorders or inserts signatures in the database
is caught at the first signature that does not verify, in chains of either format (1: before
the signing login was hashed; 2: with it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from charter.cli import main
from charter.expectations import services
from charter.expectations.models import (
    Change,
    DocumentVersion,
    Signature,
    SignatureChainHead,
    SignatureRequest,
)
from charter.expectations.services.signatures import GENESIS, ChainCheck, chain_hash
from charter.expectations.tests.conftest import edit_first_expectation, publish, sign

BROKEN_LINK = "its previous-hash link is broken"
FIELDS_DIFFER = "its fields do not match its hash"
HEAD_DIFFERS = "the chain head does not match the last signature"
FORMAT_GOES_BACK = "its chain format is older than an earlier one's"
# Format 1 predates the signing login in the payload: its user and address are not hashed.
LOGIN_FIELDS = {"user_id", "user_email"}


def rewrite_as_format_1(signature: Signature, prev: str) -> str:
    """What a signature from before chain format 2 looks like in the database, linked after
    `prev`; returns its hash."""
    signature.chain_format = 1
    signature.user = None
    signature.user_email = ""
    signature.prev_hash = prev
    signature.chain_hash = chain_hash(prev, signature)
    Signature.objects.filter(pk=signature.pk).update(
        chain_format=1,
        user=None,
        user_email="",
        prev_hash=prev,
        chain_hash=signature.chain_hash,
    )
    return signature.chain_hash


def relink(signatures: list[Signature], prev: str) -> None:
    """Recompute the links of `signatures` after `prev`, and the head, as an intact chain."""
    for signature in signatures:
        signature.prev_hash = prev
        signature.chain_hash = chain_hash(prev, signature)
        Signature.objects.filter(pk=signature.pk).update(
            prev_hash=prev, chain_hash=signature.chain_hash
        )
        prev = signature.chain_hash
    SignatureChainHead.objects.filter(pk=1).update(last_hash=prev)


def sql(statement: str, *params: Any) -> None:
    """Write behind the models' backs, as someone with access to the database could (the
    models refuse to change or delete a signature)."""
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=Signature._meta.db_table), params)


def delete(pk: int) -> None:
    """Delete a signature as the database lets anyone: its references go first (a carry-over
    then names no original, and the head the signature before)."""
    before = Signature.objects.filter(pk__lt=pk).order_by("-id").values_list("pk", flat=True)
    SignatureChainHead.objects.filter(last_signature_id=pk).update(last_signature_id=before.first())
    Signature.objects.filter(carried_over_from_id=pk).update(carried_over_from_id=None)
    sql("DELETE FROM {table} WHERE id = %s", pk)


def move(pk: int, to: int) -> None:
    """Give a signature another id, the head following it (nothing else may refer to it)."""
    assert not Signature.objects.filter(carried_over_from_id=pk).exists()
    sql("UPDATE {table} SET id = %s WHERE id = %s", to, pk)
    SignatureChainHead.objects.filter(last_signature_id=pk).update(last_signature_id=to)


@dataclass
class Chain:
    """Seven signatures: three of version 1, their carry-overs to the editorial version 2, and
    one more of version 2."""

    format: int
    signatures: list[Signature]
    v1: DocumentVersion
    v2: DocumentVersion

    @property
    def ids(self) -> list[int]:
        return [signature.pk for signature in self.signatures]


@pytest.fixture(params=[1, 2], ids=["format-1", "format-2"])
def chain(
    request: pytest.FixtureRequest, company_doc, admin, rep, rep2, manager, other_team_rep, values
) -> Chain:
    v1 = publish(company_doc, admin.user)
    for person in (rep, rep2, manager):
        sign(person, v1)
    edit_first_expectation(company_doc, admin.user, values, "Same rule, better wording")
    v2 = publish(company_doc, admin.user, "Wording", Change.EDITORIAL)
    sign(other_team_rep, v2)
    signatures = list(Signature.objects.order_by("id"))
    if request.param == 1:
        prev = GENESIS
        for signature in signatures:
            prev = rewrite_as_format_1(signature, prev)
        SignatureChainHead.objects.filter(pk=1).update(last_hash=prev)
    assert len(signatures) == 7
    assert [s.chain_format for s in Signature.objects.order_by("id")] == [request.param] * 7
    return Chain(request.param, list(Signature.objects.order_by("id")), v1, v2)


def test_an_untouched_chain_verifies_every_signature(chain):
    assert services.verify_chain() == ChainCheck(ok=True, checked=7)


# What each column becomes when tampered with. The carried-over signature #5 is the target: a
# signature of version 2 with a name, a time, a login, no address and a note.
TARGET = 4


def tampered(chain: Chain, column: str, admin: Any) -> Any:
    target = chain.signatures[TARGET]
    unsigned = SignatureRequest.objects.filter(signed_at__isnull=True, version=chain.v2).first()
    assert unsigned is not None
    return {
        "request_id": unsigned.pk,
        "version_id": chain.v1.pk,
        "person_id": admin.pk,
        "typed_name": "Someone Else",
        "signed_at": target.signed_at + dt.timedelta(seconds=1),
        "ip_address": "10.0.0.9",
        "user_agent": "curl/8.5",
        "content_hash": chain.v1.content_hash,
        "carried_over_from_id": next(
            pk for pk in chain.ids[:3] if pk != target.carried_over_from_id
        ),
        "note": "Signed in person.",
        "user_id": admin.user.pk,
        "user_email": "attacker@evil.example",
        "chain_format": 3 - chain.format,
        "prev_hash": GENESIS,
        "chain_hash": "f" * 64,
    }[column]


COLUMNS = sorted({f.attname for f in Signature._meta.concrete_fields} - {"id"})


def test_every_column_of_a_signature_has_a_tampering_case(chain, admin):
    # A new column must say here how it is tampered with, and so prove the hash covers it.
    for column in COLUMNS:
        assert tampered(chain, column, admin) != getattr(chain.signatures[TARGET], column)


@pytest.mark.parametrize("column", COLUMNS)
def test_changing_any_hashed_column_of_a_signature_is_caught_at_that_signature(
    chain, admin, column
):
    target = chain.signatures[TARGET]
    assert target.carried_over_from_id is not None

    Signature.objects.filter(pk=target.pk).update(**{column: tampered(chain, column, admin)})

    check = services.verify_chain()
    if chain.format == 1 and column in LOGIN_FIELDS:
        # A first-format signature is checked against what was hashed when it was made, which
        # named no login (the README says so): hashing more now would fail every old one.
        assert check == ChainCheck(ok=True, checked=7)
        return
    assert not check.ok
    assert (check.first_bad_id, check.checked) == (target.pk, TARGET)
    if column == "prev_hash":
        assert check.reason == BROKEN_LINK
    elif column == "chain_format" and chain.format == 2:
        assert check.reason == FORMAT_GOES_BACK
    else:
        assert check.reason == FIELDS_DIFFER


def test_editing_the_signed_versions_content_hash_is_caught_at_its_first_signature(chain):
    # The version's hash is outside the chain; each signature's copy of it is inside.
    DocumentVersion.objects.filter(pk=chain.v2.pk).update(content_hash="e" * 64)

    check = services.verify_chain()

    assert not check.ok
    assert (check.first_bad_id, check.checked) == (chain.ids[3], 3)
    assert check.reason == "the signed content hash differs from the version's"


@pytest.mark.parametrize("position", [0, 3, 5])
def test_deleting_a_signature_is_caught_at_the_next_one(chain, position):
    delete(chain.ids[position])

    check = services.verify_chain()

    assert not check.ok
    assert (check.first_bad_id, check.checked) == (chain.ids[position + 1], position)
    assert check.reason == BROKEN_LINK


def test_deleting_the_last_signature_is_caught_by_the_head(chain):
    delete(chain.ids[-1])

    check = services.verify_chain()

    assert not check.ok
    assert (check.first_bad_id, check.checked) == (None, 6)
    assert check.reason == HEAD_DIFFERS


@pytest.mark.parametrize("position", [0, 3, 5])
def test_swapping_two_neighbouring_signatures_is_caught_where_the_order_breaks(chain, position):
    first, second = chain.ids[position], chain.ids[position + 1]
    spare = max(chain.ids) + 1000
    sql("UPDATE {table} SET id = %s WHERE id = %s", spare, first)
    sql("UPDATE {table} SET id = %s WHERE id = %s", first, second)
    sql("UPDATE {table} SET id = %s WHERE id = %s", second, spare)

    check = services.verify_chain()

    assert not check.ok
    assert (check.first_bad_id, check.checked) == (first, position)
    assert check.reason == BROKEN_LINK


def forge_after(chain: Chain, position: int, *, pk: int, admin: Any) -> Signature:
    """A well-formed signature by the admin, linked after the one at `position` and hashed as
    anyone who reads this code could, stored under `pk`."""
    model = chain.signatures[position]
    unsigned = SignatureRequest.objects.get(person=admin, version=model.version)
    forged = Signature(
        pk=pk,
        request=unsigned,
        version=model.version,
        person=admin,
        typed_name=admin.full_name,
        signed_at=model.signed_at,
        content_hash=model.content_hash,
        user=admin.user if chain.format == 2 else None,
        user_email=admin.email if chain.format == 2 else "",
        chain_format=chain.format,
        prev_hash=model.chain_hash,
    )
    forged.chain_hash = chain_hash(model.chain_hash, forged)
    Signature.objects.bulk_create([forged])  # save() refuses a signature with an id
    return forged


@pytest.mark.parametrize("position", [2, 3, 5])
def test_a_signature_inserted_into_the_chain_is_caught_at_the_next_one(chain, admin, position):
    # Make room after `position`: move the later signatures past every id in use.
    later = chain.ids[position + 1 :]
    offset = max(chain.ids) + 1000
    for pk in reversed(later):
        move(pk, pk + offset)
    assert services.verify_chain().ok  # moved, not yet broken
    forge_after(chain, position, pk=chain.ids[position] + 1, admin=admin)

    check = services.verify_chain()

    assert not check.ok
    # The forged signature itself is well formed; the one it pushed aside no longer links.
    assert (check.first_bad_id, check.checked) == (later[0] + offset, position + 2)
    assert check.reason == BROKEN_LINK


def test_a_signature_appended_behind_the_heads_back_is_caught_by_the_head(chain, admin):
    forge_after(chain, 6, pk=max(chain.ids) + 1000, admin=admin)

    check = services.verify_chain()

    assert not check.ok
    assert (check.first_bad_id, check.checked) == (None, 8)
    assert check.reason == HEAD_DIFFERS


def test_charter_verify_signatures_names_the_first_signature_that_does_not_verify(chain, capsys):
    call_command("verify_signatures")
    assert "OK: 7 signatures verify." in capsys.readouterr().out

    Signature.objects.filter(pk=chain.ids[2]).update(ip_address="10.0.0.9")
    # Last: the command line closes the database connections when it ends.
    with pytest.raises(SystemExit) as excinfo:
        main(["verify-signatures"])

    assert excinfo.value.code == 1
    out = capsys.readouterr().out
    assert f"FAILED: signature #{chain.ids[2]} does not verify: {FIELDS_DIFFER}." in out
    assert "2 signatures before it verify." in out
