"""The built-in rules: each turns one camera's tracks or detections into observations.

Build a camera's rules with :func:`gwanje.events.rules.factory.build_rules`.
"""
