"""Gwanje (관제): AI CCTV monitoring that alerts operators only when something needs a human."""

from gwanje.core.detections import Detections
from gwanje.core.events import Event, EventState, EventType
from gwanje.core.frame import Frame

__version__ = "0.1.0"

__all__ = ["Detections", "Event", "EventState", "EventType", "Frame", "__version__"]
