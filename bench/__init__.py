"""Benchmark of the map against the naive `GeoDataFrame.explore()` page: `make bench` / `python -m bench`.

See bench/README.md for what is measured, how, and the figures.
"""
