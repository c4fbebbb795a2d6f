"""helpdesk.startup: a web process freezes what it made while starting, once the views
are loaded, so the collector's full passes no longer walk it (docs/performance.md,
"Garbage collection")."""

from __future__ import annotations

import gc
import importlib
import sys

import pytest

from helpdesk import startup


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()  # the test process's own objects go back to the collector


def test_settle_loads_every_view_and_freezes_what_exists(unfrozen):
    from django.urls import get_resolver

    gc.unfreeze()
    made_before = [[] for _ in range(3)]
    startup.settle()
    assert "url_patterns" in vars(get_resolver())  # the URLconf and its views are loaded
    assert "tickets.views.queue" in sys.modules
    made_after = [[] for _ in range(3)]
    seen = {id(o) for o in gc.get_objects()}  # what the collector still walks
    assert not any(id(o) in seen for o in made_before)
    assert all(id(o) in seen for o in made_after)
    assert gc.get_freeze_count() > 10_000


@pytest.mark.parametrize("module", ["helpdesk.wsgi", "helpdesk.asgi"])
def test_both_entry_points_settle(module, monkeypatch, unfrozen):
    loaded = importlib.import_module(module)
    calls = []
    monkeypatch.setattr(startup, "settle", lambda: calls.append(module))
    importlib.reload(loaded)
    assert calls == [module]
