"""Structured outputs for the simulator: which task a schema asks for, and shaping the JSON.

A request names no task, so the simulator reads it from the output schema's property names
(SATgen's three stage schemas are distinct). It writes the answer with the schema's required
properties first (the API's output order), and for the `invalid_output` fault breaks a
constraint that the schema only states in a description, as the SDK's transform writes them
(`{maxLength: 16}`, `{minimum: 0, maximum: 1}`): the API's grammar cannot enforce those, so
this is a reply the real API can send.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from claude_simulator.rules import forced_tool, output_schema

TASKS = ("extract", "generate", "solve")
HINT = re.compile(r"\{([^{}]*)\}")
HINT_ITEM = re.compile(r"(\w+):\s*(-?\d+(?:\.\d+)?)")


def task_of_schema(schema: Any) -> str | None:
    """Return the SATgen task a schema asks for, by its property names, or None."""
    if not isinstance(schema, dict):
        return None
    schema = _resolve(schema, schema)
    names = set(schema.get("properties") or {})
    if "is_sat_question" in names:
        return "extract"
    if {"explanation", "rationales"} <= names:
        return "generate"
    if {"confident", "answer"} <= names:
        return "solve"
    return None


def answer_schema(body: dict) -> dict | None:
    """Return the schema the reply must fill: the output format's, or the forced tool's."""
    if forced_tool(body):
        tool = forced_tool_definition(body)
        schema = tool.get("input_schema") if tool else None
        return schema if isinstance(schema, dict) else None
    schema = output_schema(body)
    if schema is None and isinstance(body.get("output_format"), dict):
        schema = body["output_format"].get("schema")
    return schema if isinstance(schema, dict) else None


def forced_tool_definition(body: dict) -> dict | None:
    """Return the tool a forced tool_choice calls ("any": the first custom tool)."""
    choice = body.get("tool_choice") or {}
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and "input_schema" in t]
    if choice.get("type") == "tool":
        return next((t for t in tools if t.get("name") == choice.get("name")), None)
    return tools[0] if tools else None


def task_of(body: dict) -> str | None:
    """Return the request's task ("extract", "generate", "solve"), or None for other requests."""
    return task_of_schema(answer_schema(body))


def task_or_none(body: Any) -> str | None:
    """Return the task of a body that may be malformed (for the log of a refused request)."""
    try:
        return task_of(body) if isinstance(body, dict) else None
    except (AttributeError, TypeError, KeyError):
        return None


def _resolve(node: Any, root: dict) -> Any:
    """Follow internal $refs until a schema without one."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
        target: Any = root
        for part in [p for p in node["$ref"].lstrip("#").split("/") if p]:
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node, seen = target, seen + 1
    return node


def _object_variant(node: Any, root: dict, value: Any) -> Any:
    """Return the variant of a (possibly anyOf) schema that describes `value`."""
    node = _resolve(node, root)
    if not isinstance(node, dict):
        return {}
    for variant in node.get("anyOf") or []:
        variant = _resolve(variant, root)
        kinds = variant.get("type") if isinstance(variant, dict) else None
        if isinstance(value, dict) and (kinds == "object" or "properties" in variant):
            return variant
        if isinstance(value, list) and kinds == "array":
            return variant
    return node


def ordered(value: Any, schema: Any, root: dict | None = None) -> Any:
    """Return `value` with object keys in the schema's order: required first, then the rest."""
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    node = _object_variant(schema, root, value)
    if isinstance(value, dict):
        properties = node.get("properties") or {}
        order = list(node.get("required") or [])
        order += [name for name in properties if name not in order]
        keys = [k for k in order if k in value] + [k for k in value if k not in order]
        return {k: ordered(value[k], properties.get(k, {}), root) for k in keys}
    if isinstance(value, list):
        return [ordered(item, node.get("items", {}), root) for item in value]
    return value


def hints(description: Any) -> dict[str, float]:
    """Return the constraints a description states as `{name: value, ...}`."""
    found: dict[str, float] = {}
    for group in HINT.findall(description if isinstance(description, str) else ""):
        for name, number in HINT_ITEM.findall(group):
            found[name] = float(number)
    return found


def break_constraint(output: dict, schema: dict) -> dict:
    """Return a schema-valid copy of `output` that breaks one description-only constraint.

    `{maxLength: N}` gets N + 1 characters, `{maximum: X}` a value above X, `{minimum: X}` one
    below (and likewise minLength, maxItems, minItems). Only when the schema states no such
    constraint is a required field dropped instead, which the API's grammar would not allow.
    """
    broken = copy.deepcopy(output)
    if _break(broken, schema, schema):
        return broken
    for name in schema.get("required") or list(output):
        if name in broken:
            del broken[name]
            return broken
    broken["unexpected_field"] = "not in the schema"
    return broken


def _break(value: Any, schema: Any, root: dict) -> bool:
    """Break the first description-only constraint found in `value`, in place."""
    node = _object_variant(schema, root, value)
    if isinstance(value, dict):
        for name, sub in (node.get("properties") or {}).items():
            if name not in value or value[name] is None:
                continue
            target = _object_variant(sub, root, value[name])
            found = hints(target.get("description")) | hints(
                sub.get("description") if isinstance(sub, dict) else None
            )
            replaced = _broken_value(value[name], found, target)
            if replaced is not None:
                value[name] = replaced
                return True
            if _break(value[name], sub, root):
                return True
    if isinstance(value, list):
        return any(_break(item, node.get("items", {}), root) for item in value)
    return False


def _broken_value(value: Any, found: dict[str, float], node: dict) -> Any:
    """Return `value` made to break one of the `found` constraints, or None if none applies."""
    integer = node.get("type") == "integer"

    def number(x: float) -> float | int:
        return int(x) if integer or x == int(x) and isinstance(value, int) else x

    if isinstance(value, str):
        if "maxLength" in found:
            n = int(found["maxLength"]) + 1
            return (value + "x" * n)[:n]
        if found.get("minLength", 0) > 0:
            return value[: int(found["minLength"]) - 1]
    if isinstance(value, int | float) and not isinstance(value, bool):
        for key, step in (("maximum", 1), ("exclusiveMaximum", 0)):
            if key in found:
                return number(found[key] + step)
        for key, step in (("minimum", -1), ("exclusiveMinimum", 0)):
            if key in found:
                return number(found[key] + step)
    if isinstance(value, list):
        if "maxItems" in found and value:
            n = int(found["maxItems"]) + 1
            return (value * n)[:n]
        if found.get("minItems", 0) > 1:
            return value[: int(found["minItems"]) - 1]
    return None


def minimal_instance(schema: Any, root: dict | None = None) -> Any:
    """Return the simplest value a schema accepts, for an output schema SATgen does not use."""
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    node = _resolve(schema, root)
    if not isinstance(node, dict):
        return None
    if "const" in node:
        return node["const"]
    if node.get("enum"):
        return node["enum"][0]
    if node.get("anyOf"):
        return minimal_instance(node["anyOf"][0], root)
    if node.get("allOf"):
        merged: dict = {}
        for part in node["allOf"]:
            value = minimal_instance(part, root)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in node:
        properties = node.get("properties") or {}
        return {
            name: minimal_instance(properties.get(name, {}), root)
            for name in node.get("required") or []
        }
    if kind == "array":
        return [minimal_instance(node.get("items", {}), root)] if node.get("minItems") else []
    defaults: dict[Any, Any] = {"string": "", "integer": 0, "number": 0, "boolean": False}
    return defaults.get(kind)
