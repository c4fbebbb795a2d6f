"""Loaded with `-p tests.xdist_env` before Django starts: under pytest-xdist each worker
gets a Redis database of its own (the base number plus the worker's index), because the
tests clear the cache and hold broker queues there. Databases get a suffix per worker from
pytest-django itself.

OpenMP (scikit-learn's k-means for the comment themes, NumPy's BLAS) runs one thread
per test process unless OMP_NUM_THREADS says otherwise: the workers already use every
core, and extra threads that spin-wait for a core made each theme fit take 5 s instead
of 0.3 s on this two-core machine. The same code runs; only its thread count differs."""

import os
import re

os.environ.setdefault("OMP_NUM_THREADS", "1")

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_url = os.environ.get("REDIS_URL", "")
if _worker.startswith("gw") and _url:
    index = int(_worker[2:])
    match = re.search(r"/(\d+)$", _url)
    base = int(match.group(1)) if match else 0
    number = (base + index) % 16
    os.environ["REDIS_URL"] = (_url[: match.start()] if match else _url.rstrip("/")) + f"/{number}"
