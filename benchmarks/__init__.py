"""Peken benchmarks, one module per section of BENCHMARKS.md: `python -m benchmarks` (`make bench`)
runs them (see benchmarks.cli); benchmarks.common holds what the sections share."""
