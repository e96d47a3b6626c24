"""The secret key of the embedded default: generated once and kept beside the database."""

from pathlib import Path

from django.core.management.utils import get_random_secret_key

from bufdir_site.private_files import write_private_text


def local_secret_key(path: Path) -> str:
    """Read the key at path, creating it (readable by the owner only) on first use."""
    if path.exists():
        return path.read_text().strip()
    key = get_random_secret_key()
    try:
        write_private_text(path, key)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    return key
