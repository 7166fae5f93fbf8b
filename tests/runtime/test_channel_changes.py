"""An alert channel added while the service runs: the next alert reaches a real webhook receiver without any camera
restarting, and the channel is there again after a restart (read back from channel-overrides.json)."""

from __future__ import annotations

from pathlib import Path

from gwanje.config import parse_config
from gwanje.config.alerts import WebhookConfig
from gwanje.config.schema import AppConfig
from gwanje.runtime.service import Service
from tests.alerts.support import make_event
from tests.integration.receivers import WebhookReceiver
from tests.support.waiting import wait_for


def _config(data_dir: Path) -> AppConfig:
    return parse_config(
        {
            "store": {"data_dir": str(data_dir)},
            "cameras": [{"id": "steady", "source": {"url": "demo:"}, "detectors": [], "analysis_fps": 5}],
        }
    )


def _frames(service: Service) -> int:
    return next(s.frames_analyzed for s in service.camera_status() if s.camera_id == "steady")


def _ids(receiver: WebhookReceiver) -> list[str]:
    return [m["event"]["id"] for m in receiver.messages()]


def test_a_channel_added_at_run_time_gets_the_next_alert_and_survives_a_restart(tmp_path: Path) -> None:
    with WebhookReceiver() as receiver:
        service = Service(_config(tmp_path / "data"))
        service.start()
        try:
            wait_for(lambda: _frames(service) >= 3, 10, "the camera to analyse frames")
            worker = service.registry.workers["steady"]
            service.alerts.save_channel(WebhookConfig(name="late", url=receiver.url, cameras=["steady"]), new=True)
            service.sink.publish(make_event(event_id="evt-a", camera_id="steady"))
            service.sink.publish(make_event(event_id="evt-x", camera_id="elsewhere"))  # filtered out
            service.sink.publish(make_event(event_id="evt-b", camera_id="steady"))
            wait_for(lambda: "evt-b" in _ids(receiver), 10, "the new channel's alerts")
            assert _ids(receiver) == ["evt-a", "evt-b"]
            before = _frames(service)
            wait_for(lambda: _frames(service) >= before + 3, 10, "the camera to keep analysing")
            assert service.registry.workers["steady"] is worker  # never restarted
        finally:
            service.stop()

        again = Service(_config(tmp_path / "data"))
        again.start()
        try:
            again.sink.publish(make_event(event_id="evt-c", camera_id="steady"))
            wait_for(lambda: "evt-c" in _ids(receiver), 10, "the stored channel after the restart")
        finally:
            again.stop()
