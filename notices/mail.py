"""The embedded default's e-mail backend: files under var/mail, readable by the service user only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.mail.backends.filebased import EmailBackend

from bufdir_site.private_files import private_file, private_folder


class PrivateFileEmailBackend(EmailBackend):
    """Django's file backend, with the folder 0700 and every mail file 0600 from the moment it exists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        private_folder(Path(self.file_path))

    def open(self) -> bool:
        """Create the file privately first; Django's backend then appends to it."""
        if self.stream is None:
            private_file(Path(self._get_filename()))
        return bool(super().open())
