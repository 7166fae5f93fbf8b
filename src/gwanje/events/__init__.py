"""Rules, zones and the start / update / end state machine that turn detections into events."""
