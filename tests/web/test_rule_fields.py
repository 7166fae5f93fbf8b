"""Each rule's settings become the camera form's fields by their types; what has no input of its own (a tripwire's
line, drawn on the zones page) is left to the rules JSON."""

from __future__ import annotations

from gwanje.config.rules import FallRuleConfig, LineCrossingRuleConfig
from gwanje.web.rule_fields import rule_form


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
