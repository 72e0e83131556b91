"""The house keeps its plan: imports point down the layers of docs/architecture.md, never up, never in a circle.

Every module of every app is parsed (imports inside functions count too, and so do `import_module("keyworker…")`
and `apps.get_model("<app>", …)` with a literal name), except its tests and migrations: tests may reach across
apps to check behaviour end to end. An app that is not placed in a layer fails the test until it is.
"""

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # keyworker/

# Bottom to top. An app may import apps of its own layer or below; the apps of one layer import each other
# without a circle.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("plumbing", ("core", "notifications")),
    ("records", ("organisations", "accounts", "people")),
    ("engine", ("standards",)),
    ("caseload", ("caseload",)),
    ("domain", ("contacts", "celebrations", "briefings", "datachecks", "enrolment", "attendance", "safeguarding", "wellbeing",
                "meetings", "care", "transitions", "targets", "imports")),
    ("faces", ("api", "dashboard", "portal")),
    ("tools", ("demo",)),
]
LEVEL = {app: level for level, (_, apps) in enumerate(LAYERS) for app in apps}
LAYER_NAME = {app: name for name, apps in LAYERS for app in apps}

# Exceptions to the layers: none. (The engine reads key worker allocations through
# keyworker.standards.responsibility, which the caseload registers when it starts.)
ALLOWED: set[tuple[str, str]] = set()

SKIPPED_DIRS = {"tests", "migrations", "__pycache__"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. keyworker.contacts.api
    app: str
    line: int
    target: str  # the imported module or name, e.g. keyworker.core.api.views
    target_app: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target} ({self.app} -> {self.target_app})"


def installed_apps() -> list[str]:
    return sorted(p.parent.name for p in PACKAGE.glob("*/apps.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _targets(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            package = ".".join(base + ([node.module] if node.module else []))
        else:
            package = node.module or ""
        # `from keyworker import contacts` imports the app itself: each name counts as well as the package.
        return [package] + [f"{package}.{alias.name}" for alias in node.names]
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        first = node.args[0].value
        if name == "import_module" and isinstance(first, str):
            return [first]
        if name == "get_model" and isinstance(first, str):
            return [f"keyworker.{first.split('.')[0]}"]  # apps.get_model("caseload", …) or ("caseload.Model")
    return []


def _dynamic_imports(tree: ast.AST) -> list[int]:
    """Lines of `import_module(…)` calls whose module is not written out (a hidden list of apps)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "import_module" and not isinstance(node.args[0], ast.Constant):
                lines.append(node.lineno)
    return lines


def _sources():
    for app in installed_apps():
        for path in sorted((PACKAGE / app).rglob("*.py")):
            if SKIPPED_DIRS & set(path.relative_to(PACKAGE).parts):
                continue
            yield app, path


def app_imports() -> list[Import]:
    """Every import from one app's module of another app (once per line and app)."""
    found: dict[tuple[str, int, str], Import] = {}
    for app, path in _sources():
        module = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for target in _targets(node, module, path.name == "__init__.py"):
                parts = target.split(".")
                if parts[0] != "keyworker" or len(parts) < 2 or parts[1] == app or parts[1] not in LEVEL:
                    continue
                key = (module, node.lineno, parts[1])
                found.setdefault(key, Import(module, app, node.lineno, target, parts[1]))
    return sorted(found.values(), key=lambda i: (i.module, i.line))


def upward(imports: list[Import]) -> list[Import]:
    return [i for i in imports if LEVEL[i.target_app] > LEVEL[i.app] and (i.module, i.target_app) not in ALLOWED]


def loops(imports: list[Import]) -> list[list[str]]:
    """Groups of apps that import each other, directly or round a circle (strongly connected, more than one)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for i in imports:
        if (i.module, i.target_app) not in ALLOWED:
            graph[i.app].add(i.target_app)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        on_stack.add(app)
        for other in sorted(graph[app]):
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in on_stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == app:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for app in sorted(graph):
        if app not in index:
            visit(app)
    return sorted(groups)


def test_every_app_is_placed_in_a_layer():
    unplaced = [app for app in installed_apps() if app not in LEVEL]
    assert unplaced == [], f"Place these apps in a layer (docs/architecture.md and LAYERS here): {unplaced}"


def test_no_import_points_up_the_layers():
    found = upward(app_imports())
    assert found == [], "Imports up the layers (move the contract down, or register it when the app starts):\n" + (
        "\n".join(f"  {i} [{LAYER_NAME[i.app]} -> {LAYER_NAME[i.target_app]}]" for i in found)
    )


def test_no_import_closes_a_loop_between_apps():
    imports = app_imports()
    found = loops(imports)
    detail = [
        f"  {' <-> '.join(group)}:\n" + "\n".join(f"    {i}" for i in imports if i.app in group and i.target_app in group)
        for group in found
    ]
    assert found == [], "Apps that import each other:\n" + "\n".join(detail)


def test_no_exception_is_allowed():
    """Every app keeps the layers: the list of exceptions stays empty."""
    assert ALLOWED == set()


def test_no_module_imports_a_computed_list_of_modules():
    found = []
    for _app, path in _sources():
        found += [f"{_module_name(path)}:{line}" for line in _dynamic_imports(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == [], f"Modules imported by a computed name (use a registry in core instead): {found}"


def test_every_app_api_registers_its_routes():
    from keyworker.core.api.routes import api_routes

    with_api = {p.parent.name for p in PACKAGE.glob("*/api.py")}
    registered = {r.code for r in api_routes()}
    assert with_api <= registered, f"api.py not registered in AppConfig.ready(): {sorted(with_api - registered)}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from keyworker.api.views import ReadViewSet\n", ["contacts -> api"]),
        ("def f():\n    from keyworker.dashboard import extensions\n", ["contacts -> dashboard"]),
        ("import keyworker.portal.views\n", ["contacts -> portal"]),
        ("from keyworker import demo\n", ["contacts -> demo"]),
        ("apps.get_model('api', 'Thing')\n", ["contacts -> api"]),
        ("from keyworker.standards.evidence import register_evidence\nfrom .models import Contact\n", []),
    ],
)
def test_the_scan_sees_imports_inside_functions_and_by_name(tmp_path, monkeypatch, source, expected):
    app = tmp_path / "keyworker" / "contacts"
    app.mkdir(parents=True)
    (app / "apps.py").write_text("")
    (app / "things.py").write_text(source)
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path / "keyworker")
    assert [f"{i.app} -> {i.target_app}" for i in upward(app_imports())] == expected


def test_the_scan_finds_a_loop(tmp_path, monkeypatch):
    for app, source in (("accounts", "from keyworker.people.models import Child\n"),
                        ("people", "from keyworker.accounts.access import Actor\n")):
        (tmp_path / "keyworker" / app).mkdir(parents=True)
        (tmp_path / "keyworker" / app / "apps.py").write_text("")
        (tmp_path / "keyworker" / app / "access.py").write_text(source)
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path / "keyworker")
    assert loops(app_imports()) == [["accounts", "people"]]
