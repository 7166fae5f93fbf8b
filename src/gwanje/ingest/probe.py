"""The administrators' "test connection": open a source once, take its first frame, close it, within a time limit.

Used by the administration pages before or after a camera is saved. The attempt runs on its own daemon thread, so
a source that hangs past ``timeout_s`` costs a thread that ends with FFmpeg's own timeout, never the caller.
Error messages never carry the source's credentials (``core.secrets.redact``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from gwanje.config.camera import SourceConfig
from gwanje.core.errors import GwanjeError
from gwanje.core.frame import Image
from gwanje.core.secrets import redact
from gwanje.ingest.source import open_source


class ProbeFailed(GwanjeError):
    """The source did not give a frame; the message says what happened (credentials masked)."""


class ProbeTimeout(ProbeFailed):
    """No frame within the time limit."""


@dataclass
class _Outcome:
    image: Image | None = None
    error: BaseException | None = None


def grab_frame(source: SourceConfig, timeout_s: float) -> Image:
    """The first decoded frame of ``source`` (BGR), or ``ProbeFailed`` / ``ProbeTimeout`` saying why."""
    outcome = _Outcome()
    done = threading.Event()

    def attempt() -> None:
        try:
            with open_source(source) as opened:
                for decoded in opened:
                    outcome.image = decoded.image
                    break
        except BaseException as error:  # reported to the caller, whatever it is
            outcome.error = error
        finally:
            done.set()

    threading.Thread(target=attempt, name="camera-probe", daemon=True).start()
    if not done.wait(timeout_s):
        raise ProbeTimeout(f"no frame within {timeout_s:g} s")
    if outcome.error is not None:
        message = str(outcome.error) or type(outcome.error).__name__
        raise ProbeFailed(redact(message, source.url)) from None
    if outcome.image is None:
        raise ProbeFailed("the source opened but ended before its first frame")
    return outcome.image
