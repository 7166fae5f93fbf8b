"""A camera's rules as form fields: each rule's own settings (from its configuration model) and its schedule.

Settings of simple kinds become inputs (numbers, texts, on/off, a choice, a list of labels as comma-separated text);
the rest (a tripwire's line, drawn on the zones page) stays as it is in the rules JSON. The page's script sends only
the fields an admin changed, over the rule as it was, so a saved rule keeps every other setting. Each field's label,
description and choices are shown in the page's language (``gwanje.web.i18n_rules``, keyed by the setting's name).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from gwanje.config.schedule import Schedule


@dataclass(frozen=True)
class RuleField:
    name: str
    kind: str
    """number, optional-number (empty: none), text, optional-text (empty: none), bool, choice or list."""
    value: Any
    """As the input shows it: a number or text, True/False for bool, comma-separated text for list."""
    choices: tuple[str, ...] = ()


def _kind(annotation: Any) -> tuple[str, tuple[str, ...]] | None:
    """The form kind of a field's type (with its choices), or None when it has no input of its own."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        if inner in ([float], [int]):
            return "optional-number", ()
        if inner == [str]:
            return "optional-text", ()
        return None
    if origin is Literal:
        return "choice", tuple(str(a) for a in args)
    if origin is list and args == (str,):
        return "list", ()
    if annotation is bool:
        return "bool", ()
    if annotation in (int, float):
        return "number", ()
    if annotation is str:
        return "text", ()
    return None


def rule_fields(rule: BaseModel) -> list[RuleField]:
    """The rule's settings that have an input (not its type, not its schedule: the form shows that apart)."""
    fields = []
    for name, info in type(rule).model_fields.items():
        if name in ("type", "schedule"):
            continue
        kind = _kind(info.annotation)
        if kind is None:
            continue
        value = getattr(rule, name)
        if kind[0] == "list":
            value = ", ".join(value)
        elif kind[0].startswith("optional-"):
            value = "" if value is None else value
        fields.append(RuleField(name, kind[0], value, kind[1]))
    return fields


def rule_form(rule: BaseModel) -> dict[str, Any]:
    """What the camera form shows of one rule: its type, what it watches, its fields and its schedule."""
    schedule = getattr(rule, "schedule", None)
    return {
        "type": getattr(rule, "type", ""),
        "about": getattr(rule, "zone", None) or getattr(rule, "name", None) or "",
        "fields": rule_fields(rule),
        "schedule": schedule.model_dump(mode="json") if isinstance(schedule, Schedule) else None,
    }
