"""Evaluation on labelled footage, metrics, benchmarks and reports."""
