"""Shared vocabulary of Gwanje: frames, detections, events, errors and clocks.

Depends on nothing else in the package; every other sub-package may import it.
"""
