"""The shape of the BUFDIR_EXPORT setting, so that its readers are type-checked."""

from typing import TypedDict


class ExportOptions(TypedDict):
    """Options of the exports app (see README's configuration table)."""

    ACTIVITY_SOURCE: str
    DOWNLOAD_URL_MAX_AGE: int
    CHUNK_SIZE: int
    PROGRESS_INTERVAL_SECONDS: float
    WRITER_PROCESS: bool
    LOST_AFTER_SECONDS: int
    STUCK_AFTER_SECONDS: int
    TEMP_DIR: str
    RETENTION_DAYS: int
    AUDIT_DETAIL_RETENTION_DAYS: int
    PLUGINS: dict[str, list[str]]
