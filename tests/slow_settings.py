"""The project's settings with a slow plugin for the demo organisation `nhf` (live-process tests)."""

from bufdir_site.settings import *  # noqa: F403
from bufdir_site.settings import BUFDIR_EXPORT

BUFDIR_EXPORT = {**BUFDIR_EXPORT, "PLUGINS": {"nhf": ["tests.slow_plugin.SlowPlugin"]}}
