"""Benchmark cases for ``manage.py bench``: one line each, see ``cases.py``."""
