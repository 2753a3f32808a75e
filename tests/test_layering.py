"""Apps import one way: an app may import the apps before it in `ORDER`, never one after.

`qualityplan` is also the project package; its settings, URLconf, Celery and WSGI
modules wire every app together and are the one exception. An app that is not in
`ORDER` fails the test: a new app has to be given its place first.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = [
    "qualityplan",
    "measures",
    "deviations",
    "reporting",
    "sources",
    "staircase",
    "surveys",
    "improvement",
    "demo",
]
PROJECT_MODULES = {"settings.py", "urls.py", "celery.py", "wsgi.py", "asgi.py"}
NOT_APPS = {"tests", "bench", "scripts", "locale", "static", "templates", "node_modules", "var"}


def _apps() -> list[str]:
    return sorted(
        path.parent.name
        for path in ROOT.glob("*/apps.py")
        if path.parent.name not in NOT_APPS and not path.parent.name.startswith(".")
    )


def _imported_top_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT / app)
        if "migrations" in relative.parts:
            continue
        if app == "qualityplan" and str(relative) in PROJECT_MODULES:
            continue
        yield path


def upward_imports(order: list[str]) -> list[str]:
    rank = {app: index for index, app in enumerate(order)}
    found = []
    for app in (app for app in _apps() if app in rank):
        for path in _modules(app):
            for name in _imported_top_names(path):
                if name in rank and rank[name] > rank[app]:
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_every_app_has_a_place_in_the_order():
    assert [app for app in _apps() if app not in ORDER] == []


def test_no_app_imports_a_later_app():
    assert upward_imports(ORDER) == []


@pytest.mark.parametrize("app", ["measures", "deviations", "reporting"])
def test_the_check_sees_an_upward_import(app):
    """Read the other way round, the order must show the imports that do exist."""
    reversed_order = [name for name in reversed(ORDER) if name != "demo"]
    assert any(line.startswith(f"{app}/") for line in upward_imports(reversed_order))
