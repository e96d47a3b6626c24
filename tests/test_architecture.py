"""The tree keeps its shape: no import cycle among the project's modules, and the export's packages in layers.

Every import counts, also those inside functions (a lazy import is still a dependency) and those for type
checkers only (`if TYPE_CHECKING:`): a loop a reader must follow is a loop.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("exports", "api", "notices", "operations", "bufdir_site")
LAYERS = ("source", "config", "rules", "history", "workbook", "delivery", "lifecycle")
"""The export's packages along the data's path: each may import only those before it."""


def _modules() -> dict[str, Path]:
    """Each module of the project's apps by dotted name (migrations left out)."""
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported(path: Path, name: str) -> Iterator[str]:
    """The dotted names a module imports, at any depth."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    """Module -> the project's modules it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target in _imported(path, name):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_no_import_cycle_anywhere():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_each_package_of_the_export_imports_only_the_ones_before_it():
    backwards = []
    for module, targets in _graph().items():
        parts = module.split(".")
        if len(parts) < 3 or parts[0] != "exports" or parts[1] not in LAYERS:
            continue
        for target in targets:
            target_parts = target.split(".")
            if (
                len(target_parts) > 1
                and target_parts[0] == "exports"
                and target_parts[1] in LAYERS
                and (LAYERS.index(target_parts[1]) > LAYERS.index(parts[1]))
            ):
                backwards.append(f"{module} -> {target}")
    assert backwards == []


def test_the_services_are_in_packages_not_one_flat_room():
    assert not (ROOT / "exports" / "services").exists()
    for layer in LAYERS:
        assert (ROOT / "exports" / layer / "__init__.py").exists(), layer


def test_the_architecture_page_names_every_module_of_the_packages():
    page = (ROOT / "docs" / "architecture.md").read_text()
    unnamed = [
        f"{layer}/{path.stem}"
        for layer in LAYERS
        for path in sorted((ROOT / "exports" / layer).glob("*.py"))
        if path.stem != "__init__" and f"`{path.stem}`" not in page
    ]
    assert unnamed == []


POSITIONAL_ALLOWED = {
    "config/cell_safety.bounded": "a value helper on every cell, like Python's own str functions",
    "config/cell_safety.bounded_join": "str.join with a limit, on every cell",
    "config/document.DocumentField.bound_data": "Django's form-field API calls it positionally",
    "lifecycle/progress.ChannelLayerGateway.group_send": "channels' group_send(group, message), adapted as it is",
    "workbook/styled_cells.cell": "the cell primitive of every sheet, called in the row loop",
    "workbook/styled_cells.link": "the hyperlink-cell primitive, beside `cell`",
    "workbook/styled_cells.row": "the row primitive, beside `cell`",
    "workbook/wrapping.line_count": "a value helper: lines a text takes at a width",
    "admin.activate_version": "a Django admin action: (modeladmin, request, queryset)",
    "admin.delete_inactive_versions": "a Django admin action: (modeladmin, request, queryset)",
    "consumers.ExportProgressConsumer.receive": "Channels' consumer API",
    "error_reports.SecretMaskingFilter.cleanse_setting": "Django's SafeExceptionReporterFilter API",
    "models.OrganisationColumnConfig.delete": "Django's Model.delete(using, keep_parents)",
    "templatetags/organisations.organisation_switcher": "a template tag: templates pass its arguments by position",
    "worker_queue.ProcessLock.acquire": "the shape of threading.Lock.acquire(blocking, timeout)",
    "operations/audit_figures.SecondsBetween.as_sql": "Django's expression API: as_sql(compiler, connection)",
    "operations/heartbeat.start_in_worker": "a django-q signal receiver: (sender, proc_name)",
}
"""Callables that keep positional arguments, each with the reason."""


def _positional_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef, *, method: bool) -> list[str]:
    """The parameters a call may pass by position, `self` and `cls` left out."""
    names = [argument.arg for argument in (*function.args.posonlyargs, *function.args.args)]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)
    return names[1:] if method and not static and names else names


def _public_callables(path: Path) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """Each public function and method of a module with its dotted name, and whether it is a method."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            yield node.name, node, False
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for member in node.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) and not member.name.startswith("_"):
                    yield f"{node.name}.{member.name}", member, True


KEYWORD_APPS = ("exports", "api", "notices", "operations")
KEYWORD_EXEMPT_FOLDERS = ("migrations", "demo")
"""Where the rule does not apply: generated migrations, and the demo data generator's many small draw helpers."""


def _service_places() -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """Each public callable of the apps by `<path below the app root>.<name>`, views (taking `request`) left out."""
    for app in KEYWORD_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if any(part in KEYWORD_EXEMPT_FOLDERS for part in path.parts):
                continue
            place = path.relative_to(ROOT / "exports" if app == "exports" else ROOT).with_suffix("").as_posix()
            for name, function, method in _public_callables(path):
                parameters = _positional_parameters(function, method=method)
                if parameters[:1] != ["request"]:
                    yield f"{place}.{name}", function, method


def test_the_services_take_all_but_their_subject_by_keyword():
    """Every public function and method of the apps takes at most one argument by position (views aside)."""
    positional = [
        place
        for place, function, method in _service_places()
        if len(_positional_parameters(function, method=method)) > 1 and place not in POSITIONAL_ALLOWED
    ]
    assert positional == []


def test_every_exception_to_the_keyword_rule_still_exists():
    assert set(POSITIONAL_ALLOWED) <= {place for place, _function, _method in _service_places()}


def test_the_keyword_check_sees_a_positional_service():
    function = ast.parse("def save(self, slug, audit_id, *, bundle): ...").body[0]
    assert isinstance(function, ast.FunctionDef)
    assert _positional_parameters(function, method=True) == ["slug", "audit_id"]
