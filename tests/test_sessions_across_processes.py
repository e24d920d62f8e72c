"""Sessions across processes: two `charter serve` processes on one SQLite file, as an
installation with several web processes runs. Signing out, a login closed or a password set
through one process ends the same cookie on the other at once: nothing about a session is kept
in a process between requests."""

from __future__ import annotations

import email
import http.client
import os
import re
import shutil
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import Running, charter, clean_env, query, sqlite_url

PASSWORD = "a long passphrase for the tests 42"
NEW_PASSWORD = "another long passphrase, newly set 7"
ANN = "ann@example.com"
BOB = "bob@example.com"
SERVING = r"Charter is serving on http://127\.0\.0\.1:(\d+)/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SET_PASSWORD = re.compile(r"/accounts/set-password/[^/\s]+/[^/\s]+/")


def environment(data_dir: Path, db: Path) -> dict[str, str]:
    """What both servers run with: the same database, secret key and data folder."""
    # PYTHONPATH too: the servers run the code under test, wherever it was checked out.
    kept = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}
    return clean_env(
        data_dir,
        **kept,
        DATABASE_URL=sqlite_url(db),
        SECRET_KEY="one secret key shared by every process of this installation, long enough",
        DEBUG="0",
        HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1",
        # Mail (the reset link) is written to DATA_DIR/mail as the request commits.
        TASKS_BACKEND="immediate",
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with two admins of Acme, Ann and Bob."""
    folder = tmp_path_factory.mktemp("sessions")
    db = folder / "charter.sqlite3"
    env = environment(folder / "data", db)
    charter("migrate", "--no-input", "-v", "0", env=env)
    for address, name in ((ANN, "Ann Admin"), (BOB, "Bob Admin")):
        charter(
            "createadmin",
            *("--email", address, "--name", name, "--org", "Acme", "--password", PASSWORD),
            env=env,
        )
    return db


@dataclass
class Server:
    """A running `charter serve --no-worker` and the port it said it listens on."""

    process: Running
    port: int

    def request(
        self, method: str, path: str, cookies: dict[str, str], form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        """One request with exactly these cookies, redirects not followed; cookies the answer
        sets are added to `cookies`."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    cookies[key.strip()] = rest.split(";")[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            connection.close()

    def post(self, path: str, cookies: dict[str, str], form: dict[str, str]) -> int:
        """A form posted as a browser does: with the CSRF token of the page it is on."""
        status, _, page = self.request("GET", path, cookies)
        assert status == 200, (path, status)
        token = TOKEN.search(page)
        assert token is not None, path
        status, _, _ = self.request(
            "POST", path, cookies, {"csrfmiddlewaretoken": token.group(1), **form}
        )
        return status


def start(env: dict[str, str]) -> Server:
    process = Running("serve", "--no-worker", "--port", "0", "--threads", "2", env=env)
    try:
        # Port 0: the kernel picks a free port, and the start line says which.
        serving = process.printed(SERVING)
    except BaseException:
        process.stop()
        raise
    return Server(process, int(serving.group(1)))


@pytest.fixture
def installation(tmp_path: Path, template: Path) -> Iterator[tuple[Server, Server, Path]]:
    """Two web processes of one installation, and its database file."""
    db = tmp_path / "charter.sqlite3"
    shutil.copyfile(template, db)
    env = environment(tmp_path / "data", db)
    one = start(env)
    try:
        other = start(env)
    except BaseException:
        one.process.stop()
        raise
    try:
        yield one, other, tmp_path
    finally:
        try:
            one.process.stop()
        finally:
            other.process.stop()


def sign_in(server: Server, address: str, password: str = PASSWORD) -> dict[str, str]:
    """The cookies of a browser signed in through `server`."""
    cookies: dict[str, str] = {}
    status = server.post("/accounts/login/", cookies, {"username": address, "password": password})
    assert status == 302
    assert "sessionid" in cookies
    return cookies


def signed_in(server: Server, cookies: dict[str, str]) -> bool:
    """Whether `server` takes these cookies as someone signed in (a copy is sent: an ended
    session's cookie is not replaced by what the answer sets)."""
    status, headers, _ = server.request("GET", "/accounts/profile/", dict(cookies))
    if status == 200:
        return True
    assert status == 302
    assert headers["location"].startswith("/accounts/login/")
    return False


def person_id(folder: Path, address: str) -> int:
    sql = "SELECT id FROM org_person WHERE email = ?"
    ((found,),) = query(folder / "charter.sqlite3", sql, [address])
    return int(found)


def reset_link(folder: Path) -> str:
    (message,) = (folder / "data" / "mail").iterdir()
    parsed = email.message_from_bytes(message.read_bytes())
    for part in parsed.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found = SET_PASSWORD.search(payload.decode())
            if found:
                return found.group(0)
    raise AssertionError("no set-password link in the mail")


def test_signing_out_through_one_process_ends_the_session_on_the_other(installation) -> None:
    one, other, _ = installation
    ann = sign_in(one, ANN)
    assert signed_in(other, ann)

    # The sign-out button, on every page: its form's token, posted.
    status, _, page = one.request("GET", "/accounts/profile/", ann)
    token = TOKEN.search(page)
    assert status == 200
    assert token is not None
    # A copy: the answer clears the browser's cookie, and the same cookie is tried afterwards.
    form = {"csrfmiddlewaretoken": token[1]}
    status, _, _ = one.request("POST", "/accounts/logout/", dict(ann), form)
    assert status == 302

    assert not signed_in(other, ann)
    assert not signed_in(one, ann)


def test_a_login_closed_through_one_process_is_signed_out_on_the_other(installation) -> None:
    one, other, folder = installation
    ann, bob = sign_in(one, ANN), sign_in(other, BOB)
    assert signed_in(other, bob)

    page = f"/org/people/{person_id(folder, BOB)}/deactivate/"
    assert one.post(page, ann, {"leave_date": ""}) == 302

    assert not signed_in(other, bob)
    assert not signed_in(one, bob)
    assert signed_in(other, ann)


def test_a_password_set_through_one_process_ends_older_sessions_on_the_other(
    installation,
) -> None:
    one, other, folder = installation
    bob = sign_in(other, BOB)
    assert signed_in(other, bob)

    assert one.post("/accounts/password-reset/", {}, {"email": BOB}) == 200
    fresh: dict[str, str] = {}
    form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert one.post(reset_link(folder), fresh, form) == 302

    assert not signed_in(other, bob)
    # The browser that set it is signed in, on either process.
    assert signed_in(other, fresh)
    assert signed_in(other, sign_in(other, BOB, NEW_PASSWORD))
