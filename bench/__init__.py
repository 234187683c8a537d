"""Benchmarks, one module per benchmark (``import_bench``, …); never part of the test suite.

Each reports a ratio against a baseline measured in the same run, so numbers from different
machines can be compared.
"""
