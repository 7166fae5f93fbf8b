"""Helpers shared by the tests: generated video, free ports, service probes."""
