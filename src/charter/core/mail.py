"""The file email backend used when no mail server is configured, with private files: a message
holds password-reset and invitation links, which are as good as a password."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.mail.backends.filebased import EmailBackend

from charter.private import open_private, private_dir


class PrivateFileEmailBackend(EmailBackend):
    """Django's file backend, with the folder 0700 and each message file 0600."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        private_dir(Path(self.file_path))

    def open(self) -> bool:
        if self.stream is None:
            self.stream = open(self._get_filename(), "ab", opener=open_private)  # noqa: SIM115
            return True
        return False
