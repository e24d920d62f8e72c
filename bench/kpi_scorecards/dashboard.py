"""Step 3: the rep dashboard served by `charter serve --no-worker` under concurrent keep-alive
clients, next to a trivial view on the same server, a `charter worker` ticking beside it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import child
from bench.kpi_scorecards.common import (
    CLIENTS,
    DASHBOARD_PATH,
    TRIVIAL_PATH,
    _ms,
)

# -- step 3: the dashboard under load ------------------------------------------------------


def _env(data_dir: str) -> dict[str, str]:
    # As installed: jobs wait in the database queue for `charter worker`.
    return {
        **child.env(),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATA_DIR": data_dir,
        "CHARTER_ENV_FILE": os.devnull,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "TASKS_BACKEND": "db",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _serve(data_dir: str, log: Path) -> tuple[subprocess.Popen[str], int]:
    """`charter serve --no-worker` on a port the system picks; returns the process and the port
    it printed once listening."""
    command = [sys.executable, "-m", "charter.cli", "serve", "--no-worker", "--port", "0"]
    server = subprocess.Popen(
        command,
        cwd=child.ROOT,
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    said = []
    for line in server.stdout:
        said.append(line)
        found = re.search(r"serving on http://127\.0\.0\.1:(\d+)/", line)
        if found:
            # The rest of its output goes to the log: a pipe nobody reads would fill up and stall
            # the server.
            threading.Thread(target=_copy, args=(server.stdout, log), daemon=True).start()
            return server, int(found.group(1))
    server.wait(timeout=30)
    raise RuntimeError(f"the server stopped: {''.join(said)[-2000:]}")


def _copy(source: Any, log: Path) -> None:
    with log.open("a") as out:
        for line in source:
            out.write(line)


def _work(data_dir: str, log: Path) -> subprocess.Popen[bytes]:
    """`charter worker`: every lane polling the queue, and the tick each minute."""
    command = [sys.executable, "-m", "charter.cli", "worker"]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=child.ROOT, env=_env(data_dir), stdout=out, stderr=out)


def _jobs_done(data_dir: str) -> int:
    """Jobs the worker has finished so far (the tick among them)."""
    db = sqlite3.connect(Path(data_dir) / "charter.sqlite3")
    try:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
        ).fetchone()
    finally:
        db.close()
    return int(count)


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, dict[str, str], bytes]:
    writer.write(request)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=120)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            if name.lower() == "set-cookie" and "set-cookie" in headers:
                headers["set-cookie"] += "\n" + value.strip()
            else:
                headers[name.lower()] = value.strip()
    if status in (204, 304):
        body = b""
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        await reader.readuntil(b"\r\n")
        body = b"".join(parts)
    else:
        raise RuntimeError(f"a {status} answer without a length: {head[:300]!r}")
    return status, headers, body


def _get(path: str, port: int, cookie: str = "") -> bytes:
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Connection: keep-alive\r\n\r\n"
    ).encode()


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    found = {}
    for line in headers.get("set-cookie", "").split("\n"):
        name, _, rest = line.partition("=")
        if name:
            found[name.strip()] = rest.split(";")[0]
    return found


async def _login(port: int, email: str, password: str) -> str:
    """Sign in through the login form, as a browser does; returns the Cookie header."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    status, headers, body = await _request(reader, writer, _get("/accounts/login/", port))
    cookies = _cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None or "csrftoken" not in cookies:
        raise RuntimeError(f"the login page answered {status}")
    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": email, "password": password}
    ).encode()
    post = (
        f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: csrftoken={cookies['csrftoken']}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\nConnection: keep-alive\r\n\r\n"
    ).encode() + form
    status, headers, _ = await _request(reader, writer, post)
    writer.close()
    session = _cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"signing in answered {status} without a session")
    return f"csrftoken={cookies['csrftoken']}; sessionid={session}"


async def _load(port: int, path: str, cookie: str, seconds: float) -> dict[str, Any]:
    """CLIENTS connections, each sending the next request as soon as the last is answered;
    the first second warms up and is not counted."""
    request = _get(path, port, cookie)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    begin = time.perf_counter()
    counted_from, stop_at = begin + 1.0, begin + 1.0 + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (sent := time.perf_counter()) < stop_at:
            status, _, _ = await _request(reader, writer, request)
            if sent >= counted_from:
                latencies.append(time.perf_counter() - sent)
                statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    latencies.sort()
    count = len(latencies)
    return {
        "requests": count,
        "per_s": round(count / seconds, 1),
        "p50_ms": _ms(latencies[count // 2]) if count else None,
        "p95_ms": _ms(latencies[min(count - 1, int(count * 0.95))]) if count else None,
        "statuses": statuses,
    }


def _dashboard(data_dir: str, work: Path, seconds: float) -> dict[str, Any]:
    meta = json.loads((work / "meta.json").read_text())
    worker = _work(data_dir, work / "worker.log")
    server, port = _serve(data_dir, work / "server.log")
    try:
        cookie = asyncio.run(_login(port, meta["login"], meta["password"]))
        before = _jobs_done(data_dir)
        trivial = asyncio.run(_load(port, TRIVIAL_PATH, cookie, seconds))
        between = _jobs_done(data_dir)
        dashboard = asyncio.run(_load(port, DASHBOARD_PATH, cookie, seconds))
        trivial["worker_jobs_done"] = between - before
        dashboard["worker_jobs_done"] = _jobs_done(data_dir) - between
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.wait(timeout=60)
    result: dict[str, Any] = {"clients": CLIENTS, "seconds_each": seconds}
    for name, found in (("trivial", trivial), ("dashboard", dashboard)):
        for key, value in found.items():
            result[f"{name}_{key}"] = value
    if dashboard["per_s"] and trivial["per_s"]:
        result["dashboard_to_trivial_rate"] = round(dashboard["per_s"] / trivial["per_s"], 2)
    return result
