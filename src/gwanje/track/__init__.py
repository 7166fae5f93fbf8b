"""Multi-object tracking: stable ids, dwell time, speed and direction."""
