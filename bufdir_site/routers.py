"""Database routing of the embedded default: the channel layer's tables live in their own SQLite file."""

from typing import Any

from channels_lite.router import ChannelsRouter


class ChannelLayerDatabaseRouter(ChannelsRouter):
    """Send channels_lite to its database, and keep every other app out of that database."""

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        """channels_lite only in its database; nothing else there."""
        if app_label in self.route_app_labels:
            return db == self.database
        return False if db == self.database else None
