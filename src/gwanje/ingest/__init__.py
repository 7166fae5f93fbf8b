"""Sources, decoding, decimation, reconnects and per-camera stream health."""
