"""check-config reports every problem in one run, never repeats a secret, and explains the YAML colon trap."""

from __future__ import annotations

from pathlib import Path

import pytest

from gwanje.config import load_config, parse_config
from gwanje.core.errors import ConfigError


def test_a_wrong_zone_and_a_wrong_detector_are_reported_together() -> None:
    data = {
        "cameras": [
            {
                "id": "gate",
                "source": {"url": "demo:"},
                "detectors": ["persn", "fire_smoke"],
                "zones": [{"name": "fence", "polygon": [[0, 0], [1, 0], [1, 1]]}],
                "rules": [{"type": "intrusion", "zone": "fense"}, {"type": "loitering", "zone": "yard"}],
            },
            {"id": "yard", "source": {"url": "demo:"}, "detectors": ["fihgt"]},
        ]
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    message = str(caught.value)
    for fragment in ("'fense'", "'yard'", "'persn'", "'fihgt'"):
        assert fragment in message, fragment
    assert "3 problem(s)" in message  # both zones of camera 0 on one line


def test_rejected_secrets_are_never_echoed() -> None:
    data = {
        "api": {"tokens": [{"name": "desk", "token": "short"}], "session_secret": "tiny-secret"},
        "cameras": [
            {"id": "gate", "source": {"url": "rtsp://admin:hunter2@10.0.0.5/ch1", "transport": "carrier-pigeon"}}
        ],
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    message = str(caught.value)
    assert "api.tokens[0].token" in message and "api.session_secret" in message
    for secret in ("short", "tiny-secret", "hunter2"):
        assert secret not in message, secret


def test_an_unquoted_colon_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "gwanje.yaml"
    path.write_text("cameras:\n  - id: gate\n    source:\n      url: demo:\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r'must be quoted, e\.g\. url: "demo:"'):
        load_config(path)
