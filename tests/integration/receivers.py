"""Real receivers for end-to-end tests: an HTTP webhook endpoint and an MQTT subscriber."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import paho.mqtt.client as mqtt


class WebhookReceiver:
    """Collects the POSTs it gets (headers and JSON body) on 127.0.0.1:<free port>."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in list(self.requests)]


def broker_available(host: str = "127.0.0.1", port: int = 1883) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


class MqttCollector:
    """Subscribes to ``<prefix>/#`` and keeps (topic, payload) pairs."""

    def __init__(self, prefix: str) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self._subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *_a: c.subscribe(f"{prefix}/#", qos=1)
        self.client.on_subscribe = lambda *_a: self._subscribed.set()
        self.client.on_message = lambda _c, _u, msg: self.messages.append((msg.topic, bytes(msg.payload)))

    def __enter__(self) -> MqttCollector:
        self.client.connect("127.0.0.1", 1883)
        self.client.loop_start()
        if not self._subscribed.wait(10):
            raise RuntimeError("MQTT subscription was not acknowledged within 10 s")
        return self

    def __exit__(self, *_exc: object) -> None:
        self.client.loop_stop()
        self.client.disconnect()

    def events(self, topic: str) -> list[dict[str, Any]]:
        return [json.loads(p) for t, p in list(self.messages) if t == topic]
