"""Evidence files: what an uploaded file is (by its content), and where it is kept.

A file is accepted only when its first bytes are those of a PDF, a PNG or a JPEG *and* its name
says the same type: a page saved as `certificate.pdf` or a PDF renamed `.png` is refused, since
whoever downloads it later would open it as what its name says. The browser's content type is
never read (the sender chooses it). Files live in `LEARNING_EVIDENCE_DIR`, readable by the
account running Charter only, under random names; the original name is kept in the database
for the download's name only.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage

from charter.private import private_dir

# type → (content type, the extensions its name may have, the signatures its content starts with)
KINDS: dict[str, tuple[str, tuple[str, ...], tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (".pdf",), (b"%PDF-",)),
    "png": ("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
}
ACCEPT = ".pdf,.png,.jpg,.jpeg"
_HEAD = 16


def max_bytes() -> int:
    return int(settings.LEARNING_EVIDENCE_MAX_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def sniff(head: bytes) -> str | None:
    """The type whose signature `head` starts with, or None."""
    for kind, (_, _, signatures) in KINDS.items():
        if any(head.startswith(signature) for signature in signatures):
            return kind
    return None


def check(upload: IO[bytes], filename: str, size: int, *, field: str = "evidence") -> str:
    """The type of an uploaded file, or a ValidationError on `field` saying what is wrong."""
    extension = Path(filename).suffix.lower()
    named = next((k for k, (_, exts, _) in KINDS.items() if extension in exts), None)
    if named is None:
        raise ValidationError({field: f"{filename}: only PDF, PNG or JPEG files are accepted."})
    if size <= 0:
        raise ValidationError({field: f"{filename} is empty."})
    if size > max_bytes():
        raise ValidationError(
            {field: f"{filename} is {_megabytes(size)} MB; at most {_megabytes(max_bytes())} MB."}
        )
    upload.seek(0)
    found = sniff(upload.read(_HEAD))
    upload.seek(0)
    if found is None:
        raise ValidationError(
            {field: f"{filename} is not a PDF, PNG or JPEG file, whatever its name says."}
        )
    if found != named:
        raise ValidationError(
            {field: f"{filename} is named as a {named.upper()} but holds a {found.upper()} file."}
        )
    return found


def content_type(kind: str) -> str:
    return KINDS[kind][0]


def kind_of(content_type_: str) -> str | None:
    return next((k for k, (ct, _, _) in KINDS.items() if ct == content_type_), None)


def _inside(path: Path, folder: Path | str | None) -> bool:
    if not folder:
        return False
    return path == Path(folder).resolve() or Path(folder).resolve() in path.parents


def storage() -> FileSystemStorage:
    """The evidence folder (made private on first use). Refused when it lies under a folder a
    web server may publish: then the access checks of the evidence view could be walked past."""
    folder = Path(settings.LEARNING_EVIDENCE_DIR).resolve()
    if _inside(folder, settings.MEDIA_ROOT) or _inside(folder, settings.STATIC_ROOT):
        raise ImproperlyConfigured(
            "LEARNING_EVIDENCE_DIR must not be inside MEDIA_ROOT or STATIC_ROOT."
        )
    private_dir(folder)
    return FileSystemStorage(
        location=folder, base_url=None, file_permissions_mode=0o600,
        directory_permissions_mode=0o700,
    )  # fmt: skip


def save(upload: IO[bytes], kind: str) -> str:
    """Keep the file under a new random name; returns that name."""
    upload.seek(0)
    # The extension is the checked type's, never the uploader's.
    name = f"{uuid.uuid4().hex}{KINDS[kind][1][0]}"
    return storage().save(name, File(upload))


def delete(name: str) -> None:
    if name:
        store = storage()
        if store.exists(name):
            store.delete(name)


def display_name(filename: str) -> str:
    """The uploader's name for the file without any folder, bounded for the database."""
    return Path(filename.replace("\\", "/")).name[-200:] or "evidence"
