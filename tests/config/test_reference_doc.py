"""docs/configuration.md is generated from the models; this fails when a config change forgot to regenerate it."""

from __future__ import annotations

from pathlib import Path

from gwanje.config.reference import markdown_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_configuration_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == markdown_reference(), (
        "docs/configuration.md is out of date: run `gwanje config-schema --format markdown > docs/configuration.md`"
    )


def test_reference_names_every_section() -> None:
    text = markdown_reference()
    for key in ("`cameras[]`", "`cameras[].source`", "`alerts.webhooks[]`", "`store.retention`", "`detectors.<name>"):
        assert key in text
