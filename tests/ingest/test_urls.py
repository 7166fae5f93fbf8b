from __future__ import annotations

from gwanje.config.camera import SourceConfig
from gwanje.core.secrets import mask_url, redact
from gwanje.ingest.urls import SourceKind, resolve_source


def test_password_in_userinfo_and_query_is_masked() -> None:
    assert mask_url("rtsp://admin:s3cr%40t@10.0.0.5:554/Streaming/101") == "rtsp://admin:***@10.0.0.5:554/Streaming/101"
    assert mask_url("rtsp://admin:p@ss@10.0.0.5/s") == "rtsp://admin:***@10.0.0.5/s"  # raw '@' in the password
    masked = mask_url("http://cam/video.cgi?user=admin&password=hunter2&res=hd")
    assert "hunter2" not in masked and "res=hd" in masked


def test_redact_removes_the_raw_and_decoded_password_from_error_text() -> None:
    url = "rtsp://admin:s3cr%40t@10.0.0.5/s"
    text = f"Connection refused: '{url}' (auth s3cr@t failed)"
    cleaned = redact(text, url)
    assert "s3cr" not in cleaned and "admin:***@10.0.0.5" in cleaned


def test_rtsp_gets_transport_and_a_socket_timeout_in_microseconds() -> None:
    target = resolve_source(SourceConfig(url="rtsp://h/s", transport="udp", timeout_s=2.5))
    assert target.kind is SourceKind.RTSP
    assert target.options == {"rtsp_transport": "udp", "timeout": "2500000"}
    rtsps = resolve_source(SourceConfig(url="rtsps://h/s", options={"timeout": "1"}))
    assert rtsps.options["timeout"] == "1"  # the user's option wins


def test_http_and_rtmp_get_a_read_timeout() -> None:
    for url, kind in (
        ("http://h/v.mjpg", SourceKind.HTTP),
        ("https://h/v", SourceKind.HTTP),
        ("rtmp://h/l", SourceKind.RTMP),
    ):
        target = resolve_source(SourceConfig(url=url, timeout_s=3))
        assert target.kind is kind
        assert target.options["rw_timeout"] == "3000000"


def test_files_devices_and_demo_are_recognised() -> None:
    assert resolve_source(SourceConfig(url="/data/a.mp4")).kind is SourceKind.FILE
    file_url = resolve_source(SourceConfig(url="file:///data/my%20clip.mp4"))
    assert (file_url.kind, file_url.url) == (SourceKind.FILE, "/data/my clip.mp4")
    for url in ("/dev/video0", "v4l2:///dev/video0"):
        device = resolve_source(SourceConfig(url=url))
        assert (device.kind, device.url, device.format) == (SourceKind.DEVICE, "/dev/video0", "v4l2")
    assert resolve_source(SourceConfig(url="demo:")).kind is SourceKind.DEMO
    assert not SourceKind.FILE.is_live and SourceKind.RTSP.is_live
