"""Each rule's settings become the camera form's fields by their types; what has no input of its own (a tripwire's
line, drawn on the zones page) is left to the rules JSON. Each field is labelled, described and its choices named in
the page's language, with its configuration name beside."""

from __future__ import annotations

import re
import typing

from fastapi.testclient import TestClient
from pydantic import BaseModel

from gwanje.config.camera import ZoneConfig
from gwanje.config.rules import (
    CrowdingRuleConfig,
    FallRuleConfig,
    IntrusionRuleConfig,
    LineCrossingRuleConfig,
    LoiteringRuleConfig,
    RuleConfig,
)
from gwanje.web.i18n import MESSAGES
from gwanje.web.rule_fields import rule_form
from tests.web.conftest import Web, log_in


def test_fields_follow_the_rules_types() -> None:
    line = rule_form(LineCrossingRuleConfig(name="door", line=[(0.1, 0.5), (0.9, 0.5)], labels=["person", "car"]))
    assert (line["type"], line["about"], line["schedule"]) == (
        "line_crossing",
        "door",
        {"timezone": None, "windows": []},
    )
    kinds = {f.name: (f.kind, f.value, f.choices) for f in line["fields"]}
    assert kinds == {
        "name": ("text", "door", ()),
        "direction": ("choice", "any", ("any", "a_to_b", "b_to_a")),
        "labels": ("list", "person, car", ()),
    }  # no field for the line itself, nor the type
    fall = {f.name: (f.kind, f.value) for f in rule_form(FallRuleConfig())["fields"]}
    assert fall["found_lying_s"][0] == "optional-number"
    assert fall["zone"] == ("optional-text", "")
    assert fall["down_time_s"][0] == "number"


RULE_TYPES: tuple[type[BaseModel], ...] = typing.get_args(typing.get_args(RuleConfig)[0])
SQUARE = [(0.1, 0.1), (0.9, 0.1), (0.9, 0.9), (0.1, 0.9)]


def _every_rule() -> list[BaseModel]:
    return [
        IntrusionRuleConfig(zone="door"),
        LoiteringRuleConfig(zone="door"),
        CrowdingRuleConfig(zone="door"),
        LineCrossingRuleConfig(name="exit", line=[(0.1, 0.5), (0.9, 0.5)]),
        FallRuleConfig(),
    ]


def test_every_rule_setting_with_a_field_has_a_label_a_description_and_its_choices_in_both_languages() -> None:
    assert {type(rule) for rule in _every_rule()} == set(RULE_TYPES)
    for rule in _every_rule():
        for field in rule_form(rule)["fields"]:
            keys = [f"rulefield.{field.name}", f"rulefield.{field.name}.help"]
            keys += [f"rulefield.{field.name}.{choice}" for choice in field.choices]
            for key in keys:
                assert key in MESSAGES, key  # test_pages checks that each message is English and Korean


def _rule_section(page: str) -> str:
    """The camera form's rules fieldset: from its start to the rules JSON's label after it."""
    section = page.partition('<fieldset id="rule-fields">')[2].partition('<textarea name="rules"')[0]
    return section.rpartition("<label>")[0]


def test_the_korean_camera_page_shows_the_rule_fields_in_korean_with_their_configuration_names(
    web: Web, browser_client: TestClient
) -> None:
    gate = web.ctx.camera("gate")
    assert gate is not None
    web.ctx.camera_control.update(
        gate.model_copy(update={"zones": [ZoneConfig(name="door", polygon=SQUARE)], "rules": _every_rule()})
    )
    web.add_user("adam", "admin")
    log_in(browser_client, "adam")
    korean = _rule_section(browser_client.get("/admin/cameras/gate?lang=ko").text)
    assert '감지 전 머무는 시간 (초) <small class="muted config-name">min_dwell_s</small>' in korean
    assert 'title="구역 안에 이 시간 이상 있어야 침입으로 봅니다' in korean
    assert '<option value="a_to_b">A→B 기준 왼쪽에서 오른쪽으로</option>' in korean
    shown = re.sub(r"<(?:[^>\"]|\"[^\"]*\")*>", " ", re.sub(r'title="([^"]*)"', r"> \1 <", korean))
    names = {f.name for rule in _every_rule() for f in rule_form(rule)["fields"]}
    values = {"door", "exit", "person", "Asia", "Seoul"}  # the rules' values (zone, tripwire, label), a time zone
    words = set(re.findall(r"[A-Za-z_]{2,}", shown)) - names - values
    assert not words, f"English left on the Korean rule section: {sorted(words)}"
    english = _rule_section(browser_client.get("/admin/cameras/gate?lang=en").text)
    assert 'Time inside before it counts (s) <small class="muted config-name">min_dwell_s</small>' in english
    assert '<option value="any" selected>both ways</option>' in english
