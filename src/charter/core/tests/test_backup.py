import datetime as dt
import gzip
import hashlib
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from charter.accounts.models import ApiToken, NotificationPreferences
from charter.accounts.sessions import SessionStore
from charter.core import audit
from charter.core import backup as backup_module
from charter.core.backup import (
    BackupError,
    backed_up_models,
    flush_data,
    restore_backup,
    row_counts,
    write_backup,
)
from charter.core.models import AppendOnlyError, AuditEvent, Job, Schedule
from charter.org import services
from charter.org.models import Invitation, OwnerAlias, Person


@pytest.fixture
def company(everyone):
    admin = everyone["admin"]
    rep = everyone["rep"]
    services.person_update(person=rep, actor=admin.user, title="Account Executive — Ünïcode")
    services.owner_alias_add(person=rep, actor=admin.user, kind="crm_id", value="005ABC")
    Invitation.objects.create(person=rep, email=rep.email, invited_by=admin.user)
    NotificationPreferences.objects.create(user=rep.user, digest="daily")
    ApiToken.objects.create(
        user=admin.user, name="sync", prefix="chr_abcdefgh", token_hash="f" * 64
    )
    group = Group.objects.create(name="auditors")
    group.permissions.add(Permission.objects.get(codename="view_person"))
    rep.user.groups.add(group)
    rep.user.user_permissions.add(Permission.objects.get(codename="change_person"))
    session = SessionStore()
    session["note"] = "kept"
    session.create()
    Job.objects.create(kind="import", title="People import", progress_done=3, progress_total=9)
    Schedule.objects.create(name="tick", next_run_at=timezone.now())
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"invitation_id": 1}},
        task_path="charter.org.tasks.send_invitation",
        backend_name="default",
        run_after=timezone.now(),
    )
    audit.record(
        actor=None,
        action="core.test.recorded",
        before={"when": dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)},
        after={"nested": {"list": [1, 2.5, None, "x"]}},
    )
    return everyone


def table_contents():
    """Every row of every backed-up table, with many-to-many links, in a comparable form."""
    contents = {}
    for model in backed_up_models():
        label = model._meta.label_lower
        contents[label] = list(model._base_manager.order_by("pk").values())
        for field in model._meta.local_many_to_many:
            contents[f"{label}.{field.name}"] = sorted(
                model._base_manager.exclude(**{f"{field.name}__isnull": True}).values_list(
                    "pk", f"{field.name}__pk"
                )
            )
    return contents


def test_a_backup_restored_into_an_emptied_database_gives_back_every_row(company, tmp_path):
    before = table_contents()
    path = tmp_path / "charter.gz"

    counts = write_backup(path)
    flush_data()
    assert row_counts() == {}
    restored = restore_backup(path)

    assert restored == counts
    assert table_contents() == before
    # Spot checks that the comparison is about real data.
    assert before["org.person"]
    assert before["core.auditevent"]
    assert before["accounts.session"]
    assert before["accounts.user.user_permissions"]
    assert Person.objects.get(pk=company["rep"].pk).title == "Account Executive — Ünïcode"
    event = AuditEvent.objects.get(action="core.test.recorded")
    assert event.before == {"when": "2024-01-02T03:04:05.678901+00:00"}


def test_restored_audit_events_are_still_append_only(company, tmp_path):
    path = tmp_path / "charter.gz"
    write_backup(path)
    restore_backup(path, force=True)

    event = AuditEvent.objects.get(action="core.test.recorded")
    with pytest.raises(AppendOnlyError):
        event.save()


def test_restore_refuses_a_database_that_is_not_empty_without_force(company, tmp_path):
    path = tmp_path / "charter.gz"
    write_backup(path)
    services.person_update(
        person=company["rep2"], actor=company["admin"].user, title="Changed after the backup"
    )

    with pytest.raises(CommandError, match=r"not empty.*--force"):
        call_command("restore", str(path))
    assert Person.objects.get(pk=company["rep2"].pk).title == "Changed after the backup"

    call_command("restore", str(path), "--force")
    assert Person.objects.get(pk=company["rep2"].pk).title == ""


def test_restore_of_a_file_cut_short_writes_nothing(company, tmp_path):
    path = tmp_path / "charter.gz"
    write_backup(path)
    lines = gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)
    cut = tmp_path / "cut.gz"
    cut.write_bytes(gzip.compress("".join(lines[:-3]).encode()))
    flush_data()

    with pytest.raises(BackupError, match="ends early; nothing was restored"):
        restore_backup(cut)
    assert row_counts() == {}


def test_restore_of_a_truncated_gzip_file_writes_nothing(company, tmp_path):
    path = tmp_path / "charter.gz"
    write_backup(path)
    data = path.read_bytes()
    cut = tmp_path / "cut.gz"
    cut.write_bytes(data[: len(data) // 2])
    flush_data()

    with pytest.raises(BackupError, match="not a complete Charter backup"):
        restore_backup(cut)
    assert row_counts() == {}


def test_restore_refuses_a_backup_from_other_migrations(company, tmp_path):
    path = tmp_path / "charter.gz"
    write_backup(path)
    lines = gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)
    header = json.loads(lines[0])
    header["migrations"].append("org.9999_from_the_future")
    # As a later Charter would write it: the hash in the trailer covers the new header.
    body = (json.dumps(header) + "\n" + "".join(lines[1:-1])).encode()
    trailer = json.loads(lines[-1]) | {"sha256": hashlib.sha256(body).hexdigest()}
    future = tmp_path / "future.gz"
    future.write_bytes(gzip.compress(body + json.dumps(trailer).encode() + b"\n"))
    flush_data()

    with pytest.raises(BackupError, match=r"Only in the backup: org\.9999_from_the_future"):
        restore_backup(future)
    assert row_counts() == {}


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,email\n")

    with pytest.raises(CommandError, match="not a complete Charter backup"):
        call_command("restore", str(path))


def test_backup_command_reports_what_it_wrote(company, tmp_path, capsys):
    path = tmp_path / "nightly.gz"
    call_command("backup", str(path))

    assert path.exists()
    assert not (tmp_path / "nightly.gz.partial").exists()
    assert f"to {path}" in capsys.readouterr().out
    header = json.loads(gzip.decompress(path.read_bytes()).decode().splitlines()[0])
    assert header["format"] == "charter-backup"
    assert "org.0001_initial" in header["migrations"]
    assert OwnerAlias.objects.exists()


def test_a_backup_that_cannot_be_written_leaves_no_file_behind(company, tmp_path, monkeypatch):
    written: list[int] = []

    def full_disk(writer, objects):
        if written:
            raise OSError(28, "No space left on device")
        written.append(len(objects))
        return original(writer, objects)

    original = backup_module._write_objects
    monkeypatch.setattr(backup_module, "_write_objects", full_disk)

    with pytest.raises(CommandError, match=r"cannot be written \(.*No space left on device"):
        call_command("backup", str(tmp_path / "nightly.gz"))

    assert written
    assert list(tmp_path.iterdir()) == []


def test_a_backup_of_format_version_1_without_a_hash_still_restores(company, tmp_path):
    before = table_contents()
    path = tmp_path / "charter.gz"
    write_backup(path)
    lines = gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)
    header = json.loads(lines[0]) | {"version": 1}
    trailer = json.loads(lines[-1])
    del trailer["sha256"]
    old = tmp_path / "old.gz"
    old.write_bytes(
        gzip.compress(
            (json.dumps(header) + "\n" + "".join(lines[1:-1]) + json.dumps(trailer)).encode()
        )
    )
    flush_data()

    restore_backup(old)

    assert table_contents() == before
