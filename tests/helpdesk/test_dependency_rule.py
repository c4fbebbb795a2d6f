"""The dependency rule of docs/architecture.md, checked on the source: infrastructure
(helpdesk) depends on no feature app, tickets knows nothing of what listens to it, metrics
only reads, and nothing but tests imports the demo app."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = {"helpdesk", "tickets", "surveys", "metrics", "rules", "integrations", "identity",
        "audit", "chat", "demo"}

# app -> apps it must never import
FORBIDDEN = {
    "helpdesk": APPS - {"helpdesk"},
    "tickets": {"surveys", "metrics", "rules", "integrations", "chat", "demo"},
    "surveys": {"metrics", "rules", "integrations", "demo"},
    "metrics": {"rules", "integrations", "demo"},
    "rules": {"metrics", "demo"},
    "integrations": {"metrics", "demo"},
    "identity": {"tickets", "surveys", "metrics", "rules", "integrations", "chat", "demo"},
    "audit": {"tickets", "surveys", "metrics", "rules", "integrations", "chat", "demo"},
    "chat": {"metrics", "rules", "integrations", "demo"},
}
# The composition roots: the ASGI entry point mounts the chat's websocket routes, as
# urls.py mounts every app's URLs (by dotted string, which this check does not see).
ALLOWED = {Path("helpdesk/asgi.py")}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & APPS


def sources(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" not in relative.parts and relative not in ALLOWED:
            yield relative


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_only_what_the_rule_allows(app):
    breaches = {str(path): sorted(imported_apps(ROOT / path) & FORBIDDEN[app])
                for path in sources(app)}
    assert {path: apps for path, apps in breaches.items() if apps} == {}


def test_the_check_sees_a_breach(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import json\nfrom demo.data import writer\n"
                      "def f():\n    from surveys.models import Response\n")
    assert imported_apps(sample) == {"demo", "surveys"}
