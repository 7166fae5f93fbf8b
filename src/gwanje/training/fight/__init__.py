"""Training of the fight model (window features -> gradient-boosted trees -> ONNX)."""
