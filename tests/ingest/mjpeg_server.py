"""A tiny MJPEG-over-HTTP camera for tests: multipart/x-mixed-replace JPEG frames on loopback, like IP cameras'
``/video.mjpg`` endpoints. Each client gets frames of a box moving across the picture at ``fps``."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

BOUNDARY = "gwanjeframe"


def _jpeg(i: int, width: int = 320, height: int = 240) -> bytes:
    img = np.full((height, width, 3), 40, np.uint8)
    x = (i * 8) % (width - 40)
    img[100:140, x : x + 40] = (0, 200, 255)
    ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return bytes(data.tobytes())


class MjpegServer:
    def __init__(self, fps: float = 20.0, max_frames: int = 2000) -> None:
        fps_ = fps
        limit = max_frames
        stop = threading.Event()
        paused = threading.Event()
        self._stop = stop
        self.paused = paused
        """Set it to keep connections open but send nothing (a camera that hangs)."""

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace;boundary={BOUNDARY}")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                try:
                    for i in range(limit):  # bounded: the server stops by itself
                        if stop.is_set():
                            return
                        while paused.is_set() and not stop.is_set():
                            time.sleep(0.05)
                        data = _jpeg(i)
                        self.wfile.write(
                            f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(data)}\r\n\r\n".encode()
                        )
                        self.wfile.write(data + b"\r\n")
                        self.wfile.flush()
                        time.sleep(1.0 / fps_)
                except (BrokenPipeError, ConnectionResetError):
                    return

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/video.mjpg"

    def close(self) -> None:
        self._stop.set()
        self.paused.clear()
        self._server.shutdown()
        self._server.server_close()
