"""Sources, decoding, decimation, reconnects, per-camera stream health and the motion gate.

Public API: ``open_source``, ``FrameSource``, ``CameraReader``, ``iter_file_frames``, ``probe_duration``,
``MotionGate``, ``MotionResult``, ``mask_url``.
"""

from gwanje.core.secrets import mask_url
from gwanje.ingest.motion import MotionGate, MotionResult
from gwanje.ingest.reader import END_OF_FILE, CameraReader
from gwanje.ingest.source import DecodedFrame, FrameSource, iter_file_frames, open_source, probe_duration

__all__ = [
    "END_OF_FILE",
    "CameraReader",
    "DecodedFrame",
    "FrameSource",
    "MotionGate",
    "MotionResult",
    "iter_file_frames",
    "mask_url",
    "open_source",
    "probe_duration",
]
