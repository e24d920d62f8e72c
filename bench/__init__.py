"""Benchmarks: `make bench` measures Charter side by side with a reference in the same run."""
