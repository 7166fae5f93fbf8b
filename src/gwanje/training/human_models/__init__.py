"""Conversion of the shipped person (NanoDet-g) and pose (BlazePose) models to ONNX, with reference outputs.

A developer tool with its own environment (``requirements.txt`` here); see ``convert`` for how to run it.
"""
