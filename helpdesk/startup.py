"""What a web process does once it has loaded the application (docs/performance.md,
"Garbage collection").

Almost everything a process makes while it starts (modules, classes, functions, the
settings, the URL patterns) lives as long as the process. Python's collector walks all
of it on each full collection: about 217 000 objects, 130–170 ms during which the
request that triggered it waits (about one ticket page in 1 500). ``settle`` loads the
URLconf, which imports every view, then freezes what exists: the collector's full
passes skip frozen objects, and a full pass took 1–2 ms afterwards.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver


def settle() -> None:
    get_resolver().url_patterns  # noqa: B018 (imports every URLconf and view module)
    gc.freeze()
