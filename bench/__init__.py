"""Benchmarks and the synthetic organizations they share with the tests (``bench/synth.py``)."""
