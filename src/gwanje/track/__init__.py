"""Multi-object tracking: stable ids, dwell time, speed and direction."""

from gwanje.track.history import TrackHistory, TrackRecord, TrackSample
from gwanje.track.tracker import Tracker

__all__ = ["TrackHistory", "TrackRecord", "TrackSample", "Tracker"]
