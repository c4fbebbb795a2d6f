"""How the metric figures are made fast (docs/metrics.md, "Where the code is").

The rest of the app reads figures through ``read.py`` only; it chooses between the live SQL
of metrics/queries/ and the machinery here: the rollup tables (``models.py``) and their
refresh (``refresh.py``), the percentile buckets and running totals (``buckets.py``,
``cumulative.py``), the daily rollup reads (``rollups.py``), the dashboard's grouped SQL
(``grouped.py``) and its cache (``cache.py``). Nothing here defines what a figure means:
that is metrics/definitions.py.
"""
