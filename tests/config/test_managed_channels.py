"""Alert channels changed at run time: stored over the YAML (never rewriting it), surviving a restart, without
copying the file's tokens; and the webhook URL check that keeps an unusable URL out of the file and the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from gwanje.config.alerts import AlertsConfig, WebhookConfig
from gwanje.config.managed_channels import CHANNELS_FILE, ChannelExists, ManagedChannels, UnknownChannel
from gwanje.core.errors import ConfigError

TOKEN = "file-token-1a2b3c4d"
CONFIG = AlertsConfig.model_validate(
    {
        "webhooks": [{"name": "ops", "url": f"https://hooks.example/{TOKEN}"}],
        "apprise": [{"name": "phone", "urls": [f"ntfy://ntfy.example/{TOKEN}"]}],
    }
)


def test_changes_persist_over_the_yaml_without_copying_its_tokens(tmp_path: Path) -> None:
    managed = ManagedChannels.for_data_dir(CONFIG, tmp_path)
    ops = managed.get("webhook:ops")
    assert ops is not None
    managed.update(ops.model_copy(update={"event_types": ["fire"]}))
    managed.delete("apprise:phone")
    managed.add(WebhookConfig(name="desk", url="http://127.0.0.1:9/desk"))
    path = tmp_path / CHANNELS_FILE
    assert path.stat().st_mode & 0o777 == 0o600 and TOKEN not in path.read_text()
    stored = json.loads(path.read_text())["channels"]
    assert stored["webhook:ops"] == {"event_types": ["fire"]} and stored["apprise:phone"] is None

    again = ManagedChannels.for_data_dir(CONFIG, tmp_path).config  # the next start
    assert [(w.name, w.event_types) for w in again.webhooks] == [("ops", ["fire"]), ("desk", [])]
    assert again.webhooks[0].url == f"https://hooks.example/{TOKEN}" and again.apprise == []


def test_back_to_the_file_leaves_nothing_stored_and_refusals_name_the_channel(tmp_path: Path) -> None:
    managed = ManagedChannels.for_data_dir(CONFIG, tmp_path)
    ops = managed.get("webhook:ops")
    assert ops is not None
    managed.update(ops.model_copy(update={"cameras": ["gate"]}))
    managed.update(ops)
    assert json.loads((tmp_path / CHANNELS_FILE).read_text())["channels"] == {}
    with pytest.raises(ChannelExists):
        managed.add(ops)
    with pytest.raises(UnknownChannel):
        managed.delete("webhook:nope")


def test_a_broken_overrides_file_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / CHANNELS_FILE).write_text(json.dumps({"channels": {"webhook:ops": {"url": "ftp://x"}}}))
    with pytest.raises(ConfigError, match="webhook:ops"):
        ManagedChannels.for_data_dir(CONFIG, tmp_path)
    (tmp_path / CHANNELS_FILE).write_text(json.dumps({"channels": {"mqtt": None}}))
    with pytest.raises(ConfigError, match="not a channel overrides file"):
        ManagedChannels.for_data_dir(CONFIG, tmp_path)


@pytest.mark.parametrize("url", ["http://a:99999/x", "http://:5/x", "http://a:x/", "https://h\x00/", "http:///x"])
def test_a_webhook_url_the_client_cannot_send_to_is_refused_without_repeating_it(url: str) -> None:
    with pytest.raises(ValidationError) as error:
        WebhookConfig(name="n", url=url)
    assert "webhook can be sent to" in str(error.value.errors()[0]["msg"])


def test_a_usable_webhook_url_is_accepted() -> None:
    assert WebhookConfig(name="n", url="http://127.0.0.1:8080/hook?token=x").url.endswith("token=x")


@pytest.mark.parametrize(
    ("headers", "reason"),
    [({"Bad Name": "x"}, "not an HTTP header name"), ({"X-Key": f"a\r\nX-Other: {TOKEN}"}, "line break")],
)
def test_a_header_that_cannot_be_sent_is_refused_without_repeating_its_value(
    headers: dict[str, str], reason: str
) -> None:
    with pytest.raises(ValidationError) as error:
        WebhookConfig(name="n", url="http://h/x", headers=headers)
    message = str(error.value.errors()[0]["msg"])
    assert reason in message and TOKEN not in message
