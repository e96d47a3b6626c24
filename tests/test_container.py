"""The service graph: built once, every node replaceable through one override mechanism."""

from __future__ import annotations

import pytest

from exports.container import ServiceContainer, services
from exports.lifecycle.orchestrator import BufdirExportOrchestrator


class Fake:
    """A stand-in that remembers which node it replaces."""

    def __init__(self, name: str) -> None:
        self.name = name


def test_graph_is_built_once_and_shared():
    container = services()
    assert container.get("orchestrator") is container.orchestrator
    assert isinstance(container.orchestrator, BufdirExportOrchestrator)
    assert container.orchestrator.audits is container.audits
    assert container.progress._audits is container.audits


def test_graph_resolves_with_every_dependency_replaced_by_a_fake():
    container = services()
    leaves = [name for name in container.names() if name not in {"orchestrator", "progress_publisher"}]
    fakes = {name: Fake(name) for name in leaves}
    real_orchestrator = container.orchestrator

    with container.override(**fakes):
        orchestrator = container.orchestrator
        assert orchestrator is not real_orchestrator
        assert orchestrator.source is fakes["activity_source"]
        assert orchestrator.configs is fakes["config_repository"]
        assert orchestrator.mapper is fakes["column_mapper"]
        assert orchestrator.plugins is fakes["plugin_registry"]
        assert orchestrator.workbooks is fakes["workbook_generator"]
        assert orchestrator.bundler is fakes["bundler"]
        assert orchestrator.storage is fakes["export_storage"]
        assert orchestrator.audits is fakes["audit_service"]
        assert orchestrator.progress._audits is fakes["audit_service"]
        assert orchestrator.progress._gateway is fakes["channel_gateway"]

    assert container.orchestrator is real_orchestrator


def test_overriding_an_unknown_service_is_refused():
    with pytest.raises(KeyError), services().override(no_such_service=object()):
        pass


def test_building_a_graph_runs_factories_in_dependency_order():
    built: list[str] = []

    def factory(name):
        def make(*deps):
            built.append(name)
            return (name, deps)

        return make

    container = ServiceContainer({"a": (factory("a"), ()), "b": (factory("b"), ("a",))})
    assert built == ["a", "b"]
    assert container.get("b") == ("b", (("a", ()),))
