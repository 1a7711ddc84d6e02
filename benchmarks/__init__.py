"""Benchmarks: a deterministic synthetic portfolio (`benchmarks.portfolio`) and the monitoring sweep
measured on it (`python -m benchmarks.sweep`). Not part of the unit tests; figures in README.md."""
