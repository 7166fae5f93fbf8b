"""Wiring: per-camera pipelines, the shared inference worker and the service supervisor."""
