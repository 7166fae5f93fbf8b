"""Tests of the fire/smoke trainer (training/fire_smoke/)."""
