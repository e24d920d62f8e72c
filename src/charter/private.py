"""Files only the account running Charter may read: the data folder (database, secret key,
uploads, backups) and the mail folder (password-reset links).

Used by the settings at start-up, before Django is set up, so it imports nothing from Django.
An installation made before these modes were enforced is tightened on the next start.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def _tighten(path: Path, mode: int) -> None:
    # Only what this account owns: chmod on anything else fails, and is not ours to change.
    info = path.stat()
    if info.st_uid == os.getuid() and info.st_mode & 0o777 & ~mode:
        path.chmod(mode)


def private_dir(path: Path) -> Path:
    """Create `path` (and its parents) with the folder itself readable by this account only."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists (empty if new) and only this account may read or write it."""
    try:
        # O_EXCL: created here with the private mode from the first byte, never widened later.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        _tighten(path, FILE_MODE)
    return path


def open_private(path: Path | str, flags: int) -> int:
    """`os.open` for a new or existing private file (as a `opener=` for `open`)."""
    fd = os.open(path, flags, FILE_MODE)
    if os.fstat(fd).st_mode & 0o077:
        os.fchmod(fd, FILE_MODE)
    return fd


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by this account only from the moment it exists."""
    with open(path, "w", encoding="utf-8", opener=open_private) as out:
        out.write(text)
