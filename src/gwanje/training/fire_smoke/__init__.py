"""Training of the fire/smoke model (NanoDet backbone features -> grid head -> ONNX)."""
