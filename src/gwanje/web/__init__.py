"""Operator dashboard assets."""
