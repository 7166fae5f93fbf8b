"""A minimal RTSP relay for tests, in the style of MediaMTX: ``ffmpeg -f rtsp`` publishes to it (ANNOUNCE,
RECORD, RTP interleaved over TCP), readers play from it (DESCRIBE, SETUP, PLAY) over TCP (interleaved) or UDP
(RTP to the reader's client ports). When the publisher goes away, its readers are disconnected and the path
answers 404 until a publisher comes back, as with a real camera or relay that restarts. Loopback only.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class _Reader:
    conn: socket.socket
    base: int
    """First interleaved channel (TCP) or first client port (UDP)."""
    udp: bool


@dataclass
class _Path:
    sdp: bytes
    readers: list[_Reader] = field(default_factory=list)


class RtspRelay:
    def __init__(self) -> None:
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self.port: int = self._server.getsockname()[1]
        self._paths: dict[str, _Path] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._connections: list[socket.socket] = []
        self.reader_transports: list[str] = []
        """'udp' or 'tcp' for each reader SETUP, so tests can check which transport was used."""
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "s") -> str:
        return f"rtsp://127.0.0.1:{self.port}/{path}"

    def close(self) -> None:
        self._closed = True
        self._server.close()
        self._udp.close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        stream = conn.makefile("rb")
        published: str | None = None
        pub_base = 0
        try:
            while True:
                first = stream.read(1)
                if not first:
                    return
                if first == b"$":
                    header = stream.read(3)
                    if len(header) < 3:
                        return
                    payload = stream.read(int.from_bytes(header[1:3], "big"))
                    if published is not None:
                        self._relay(published, header[0] - pub_base, payload)
                    continue
                method, url, headers, body = _read_request(first, stream)
                path = url.split("://", 1)[-1].split("/", 1)[-1].split("/")[0].split("?")[0]
                reply, pub = self._answer(conn, method, url, path, headers, body)
                if pub is not None:
                    published, pub_base = path, pub
                conn.sendall(reply)
        except OSError:
            return
        finally:
            if published is not None:
                self._unpublish(published)
            with contextlib.suppress(OSError):
                conn.close()

    def _answer(
        self, conn: socket.socket, method: str, url: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[bytes, int | None]:
        cseq = headers.get("cseq", "0")
        extra: dict[str, str] = {}
        payload = b""
        publish_base: int | None = None
        status = "200 OK"
        if method == "OPTIONS":
            extra["Public"] = "OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, TEARDOWN, GET_PARAMETER"
        elif method == "ANNOUNCE":
            with self._lock:
                self._paths[path] = _Path(sdp=body)
        elif method == "DESCRIBE":
            with self._lock:
                entry = self._paths.get(path)
            if entry is None:
                status = "404 Not Found"
            else:
                payload = entry.sdp
                extra["Content-Type"] = "application/sdp"
                extra["Content-Base"] = url.rstrip("/") + "/"
        elif method == "SETUP":
            transport = headers.get("transport", "")
            udp = "client_port=" in transport and "interleaved=" not in transport
            key = "client_port=" if udp else "interleaved="
            if key not in transport:
                status = "461 Unsupported Transport"
            else:
                base = int(transport.split(key)[1].split("-")[0].split(";")[0])
                server_port = self._udp.getsockname()[1]
                extra["Transport"] = transport + (f";server_port={server_port}-{server_port + 1}" if udp else "")
                extra["Session"] = "12345678"
                if "mode=record" in transport.lower():
                    publish_base = base
                else:
                    with self._lock:
                        entry = self._paths.get(path)
                        if entry is None:
                            status = "404 Not Found"
                        else:
                            entry.readers.append(_Reader(conn, base, udp))
                            self.reader_transports.append("udp" if udp else "tcp")
        elif method in ("PLAY", "RECORD", "GET_PARAMETER", "TEARDOWN", "SET_PARAMETER"):
            extra["Session"] = "12345678"
        else:
            status = "501 Not Implemented"
        lines = [f"RTSP/1.0 {status}", f"CSeq: {cseq}"] + [f"{k}: {v}" for k, v in extra.items()]
        lines.append(f"Content-Length: {len(payload)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload, publish_base

    def _relay(self, path: str, channel_offset: int, payload: bytes) -> None:
        with self._lock:
            entry = self._paths.get(path)
            readers = list(entry.readers) if entry else []
        for reader in readers:
            try:
                if reader.udp:
                    self._udp.sendto(payload, ("127.0.0.1", reader.base + channel_offset))
                else:
                    header = b"$" + bytes([reader.base + channel_offset]) + len(payload).to_bytes(2, "big")
                    reader.conn.sendall(header + payload)
            except OSError:
                with self._lock:
                    if entry and reader in entry.readers:
                        entry.readers.remove(reader)

    def _unpublish(self, path: str) -> None:
        with self._lock:
            entry = self._paths.pop(path, None)
        for reader in entry.readers if entry else []:
            with contextlib.suppress(OSError):
                reader.conn.shutdown(socket.SHUT_RDWR)


def _read_request(first: bytes, stream: object) -> tuple[str, str, dict[str, str], bytes]:
    readline = stream.readline  # type: ignore[attr-defined]
    read = stream.read  # type: ignore[attr-defined]
    request_line = (first + readline()).decode("latin-1").strip()
    headers: dict[str, str] = {}
    while True:
        line = readline().decode("latin-1").strip()
        if not line:
            break
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    body = read(int(headers.get("content-length", "0") or 0))
    parts = request_line.split()
    return (parts[0], parts[1], headers, body) if len(parts) >= 2 else ("", "", headers, body)
