"""The service graph: built once at start-up with no I/O, handed out by one container, overridable in tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings

if TYPE_CHECKING:
    from exports.delivery.download_links import DownloadLinks
    from exports.delivery.storage import ExportStorage
    from exports.lifecycle.orchestrator import BufdirExportOrchestrator
    from exports.lifecycle.progress import ProgressPublisher
    from exports.lifecycle.reaper import ExportReaper
    from exports.lifecycle.state_machine import ExportStateMachine
    from exports.source.activities import ActivitySource
    from exports.workbook.plan import WorkbookOpener

Factory = Callable[..., Any]


def _graph() -> dict[str, tuple[Factory, tuple[str, ...]]]:
    """Each service's factory and the services it depends on, in dependency order."""
    from channels.layers import get_channel_layer
    from django.core.files.storage import storages

    from exports.config.plugins import PluginRegistry
    from exports.config.repository import ColumnConfigRepository
    from exports.delivery.bundler import Bundler
    from exports.delivery.download_links import DownloadLinks
    from exports.delivery.storage import ExportStorage
    from exports.lifecycle.config_trial import ConfigTrial
    from exports.lifecycle.orchestrator import BufdirExportOrchestrator
    from exports.lifecycle.progress import ChannelLayerGateway, ProgressPublisher
    from exports.lifecycle.reaper import ExportReaper, heartbeat_interval
    from exports.lifecycle.shutdown import stop_window
    from exports.lifecycle.state_machine import ExportStateMachine
    from exports.lifecycle.workdirs import ExportWorkdirs
    from exports.rules.column_mapper import BufdirColumnMapper

    options = settings.BUFDIR_EXPORT
    return {
        "activity_source": (_activity_source, ()),
        "config_repository": (ColumnConfigRepository, ()),
        "plugin_registry": (lambda: PluginRegistry(options["PLUGINS"]), ()),
        "column_mapper": (BufdirColumnMapper, ()),
        "workbook_generator": (_workbook_generator, ()),
        "bundler": (Bundler, ()),
        "export_storage": (lambda: ExportStorage(storages["exports"]), ()),
        "download_links": (lambda: DownloadLinks(options["DOWNLOAD_URL_MAX_AGE"]), ()),
        "audit_service": (ExportStateMachine, ()),
        "export_workdirs": (lambda: ExportWorkdirs(options["TEMP_DIR"]), ()),
        "channel_gateway": (lambda: ChannelLayerGateway(get_channel_layer), ()),
        "progress_publisher": (
            lambda audits, gateway: ProgressPublisher(audits, gateway, options["PROGRESS_INTERVAL_SECONDS"]),
            ("audit_service", "channel_gateway"),
        ),
        "reaper": (
            lambda audits, progress, workdirs: ExportReaper(
                audits, progress, options["LOST_AFTER_SECONDS"], options["STUCK_AFTER_SECONDS"], workdirs
            ),
            ("audit_service", "progress_publisher", "export_workdirs"),
        ),
        "orchestrator": (
            lambda source, configs, mapper, plugins, workbooks, bundler, storage, audits, progress, workdirs: (
                BufdirExportOrchestrator(
                    source=source,
                    configs=configs,
                    mapper=mapper,
                    plugins=plugins,
                    workbooks=workbooks,
                    bundler=bundler,
                    storage=storage,
                    audits=audits,
                    progress=progress,
                    chunk_size=options["CHUNK_SIZE"],
                    heartbeat_interval=heartbeat_interval(options["LOST_AFTER_SECONDS"]),
                    workdirs=workdirs,
                    stop_window=stop_window(),
                )
            ),
            (
                "activity_source",
                "config_repository",
                "column_mapper",
                "plugin_registry",
                "workbook_generator",
                "bundler",
                "export_storage",
                "audit_service",
                "progress_publisher",
                "export_workdirs",
            ),
        ),
        "config_trial": (
            lambda source, mapper, plugins: ConfigTrial(
                source=source, mapper=mapper, plugins=plugins, chunk_size=options["CHUNK_SIZE"]
            ),
            ("activity_source", "column_mapper", "plugin_registry"),
        ),
    }


def _workbook_generator() -> WorkbookOpener:
    """The workbook writer: in a forked process beside the mapping (EXPORT_WRITER_PROCESS), or in this one."""
    from exports.workbook.forked import ForkedWorkbookOpener
    from exports.workbook.opener import OpenpyxlWorkbookOpener

    generator = OpenpyxlWorkbookOpener()
    return ForkedWorkbookOpener(generator) if settings.BUFDIR_EXPORT["WRITER_PROCESS"] else generator


def _activity_source() -> ActivitySource:
    """The local tables, or the Supabase project when EXPORT_ACTIVITY_SOURCE is `supabase`."""
    from exports.source.local import LocalActivitySource

    if settings.BUFDIR_EXPORT["ACTIVITY_SOURCE"] == "supabase":  # its keys: exports.checks
        from exports.source.supabase_source import SupabaseActivitySource, supabase_client_factory

        return SupabaseActivitySource(supabase_client_factory(settings.SUPABASE_URL, key=settings.SUPABASE_SERVICE_KEY))
    return LocalActivitySource()


class ServiceContainer:
    """Holds one instance of every service; `override` swaps nodes and rebuilds what depends on them."""

    def __init__(self, graph: Mapping[str, tuple[Factory, tuple[str, ...]]]) -> None:
        self._graph = dict(graph)
        self._overrides: dict[str, Any] = {}
        self._instances = self._build({})

    def _build(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        """Instantiate the graph in order, taking overridden nodes as given."""
        unknown = set(overrides) - set(self._graph)
        if unknown:
            raise KeyError(f"no such services: {sorted(unknown)}")
        instances: dict[str, Any] = {}
        for name, (factory, dependencies) in self._graph.items():
            instances[name] = (
                overrides[name]
                if name in overrides
                else factory(*(instances[dependency] for dependency in dependencies))
            )
        return instances

    def get(self, name: str) -> Any:
        """The service registered under `name`."""
        return self._instances[name]

    def names(self) -> list[str]:
        """The names of every service in the graph."""
        return list(self._graph)

    @contextmanager
    def override(self, **fakes: Any) -> Iterator[ServiceContainer]:
        """Within the block, the named services are the given fakes and dependants are rebuilt on them.

        Overrides nest: an inner block keeps the fakes of the blocks around it.
        """
        previous_instances, previous_overrides = self._instances, self._overrides
        self._overrides = {**previous_overrides, **fakes}
        try:
            self._instances = self._build(self._overrides)
            yield self
        finally:
            self._instances, self._overrides = previous_instances, previous_overrides

    @property
    def orchestrator(self) -> BufdirExportOrchestrator:
        """The export orchestrator."""
        return cast("BufdirExportOrchestrator", self.get("orchestrator"))

    @property
    def audits(self) -> ExportStateMachine:
        """The audit service."""
        return cast("ExportStateMachine", self.get("audit_service"))

    @property
    def storage(self) -> ExportStorage:
        """The export storage."""
        return cast("ExportStorage", self.get("export_storage"))

    @property
    def download_links(self) -> DownloadLinks:
        """The signed download tokens."""
        return cast("DownloadLinks", self.get("download_links"))

    @property
    def reaper(self) -> ExportReaper:
        """The reaper of lost exports."""
        return cast("ExportReaper", self.get("reaper"))

    @property
    def progress(self) -> ProgressPublisher:
        """The progress publisher."""
        return cast("ProgressPublisher", self.get("progress_publisher"))


_container: ServiceContainer | None = None


def build_container() -> ServiceContainer:
    """Build the application's graph (called once, from AppConfig.ready)."""
    global _container
    _container = ServiceContainer(_graph())
    return _container


def services() -> ServiceContainer:
    """The application's container."""
    if _container is None:
        raise RuntimeError("the service graph is built in ExportsConfig.ready(); is the app installed?")
    return _container
