"""The apps' layers and shape as docs/architecture.md draws them, read from the source: core
knows no domain app when it runs, nothing but Django's URL loading reaches the web shell, and a
role (views, api, selectors, …) is one module or one package of that name, never both and never
beside `<role>_<thing>.py` siblings."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "charter"
DOMAIN_APPS = (
    "accounts",
    "org",
    "expectations",
    "crm",
    "kpis",
    "learning",
    "development",
    "api",
    "web",
)
ROLES = ("models", "access", "selectors", "services", "views", "api", "tasks", "emails", "forms")


def _modules(app: str) -> list[Path]:
    return [
        path
        for path in (SRC / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_time_imports(path: Path) -> list[tuple[int, str]]:
    """Every module `path` imports when it runs (imports under `if TYPE_CHECKING:` are types)."""
    tree = ast.parse(path.read_text())
    types_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in types_only:
            continue
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _importers_of(prefixes: tuple[str, ...], paths: list[Path]) -> list[str]:
    return [
        f"{path.relative_to(SRC)}:{line} imports {module}"
        for path in paths
        for line, module in _run_time_imports(path)
        if module.startswith(prefixes)
    ]


def test_core_imports_no_domain_app_when_it_runs():
    prefixes = tuple(f"charter.{app}" for app in DOMAIN_APPS)
    assert _importers_of(prefixes, _modules("core")) == []


def test_kpis_imports_no_app_that_contributes_metrics_to_it():
    # Learning registers its metrics with `kpis.registry` from its AppConfig; kpis reads them
    # from the registry and never imports learning, so learning can be left out.
    assert _importers_of(("charter.learning",), _modules("kpis")) == []


def test_no_app_imports_the_web_shell():
    others = [p for app in DOMAIN_APPS if app != "web" for p in _modules(app)] + _modules("core")
    assert _importers_of(("charter.web",), others) == []


def test_each_role_is_one_module_or_one_package_without_siblings():
    problems = []
    for app in ("core", *DOMAIN_APPS):
        folder = SRC / app
        for role in ROLES:
            if (folder / f"{role}.py").exists() and (folder / role).is_dir():
                problems.append(f"{app}: both {role}.py and {role}/")
            problems += [f"{app}: {p.name} beside {role}" for p in folder.glob(f"{role}_*.py")]
        problems += [f"{app}: {p.name}" for p in folder.glob("import_*.py")]
    assert problems == []
