"""Tests of the fight trainer (training/fight/)."""
