"""Demo data, the development server with its periodic jobs, and the benchmarks.

The one app that may import every other app (docs/architecture.md): it builds and
measures the product, the product never imports it.
"""
