"""The structured-output schema subset: what output_config.format and strict tools accept.

https://platform.claude.com/docs/en/build-with-claude/structured-outputs: every object has
`additionalProperties: false`; no numeric bounds, string lengths or array bounds beyond
minItems 0/1; only internal, non-recursive $refs; primitive enums; a fixed set of string
formats; simple patterns. Limits per request (24 optional, 16 union-typed parameters) are
counted here and enforced in rules.py. Messages are the API's where quoted by third parties.
"""

from __future__ import annotations

import re
from typing import Any

STRING_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)
# Keywords outside the subset: numeric bounds, string lengths, array bounds.
UNSUPPORTED_SCHEMA_KEYWORDS = (
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "maxItems", "uniqueItems",
)  # fmt: skip
# No backreferences, lookaround or word boundaries in `pattern`.
COMPLEX_PATTERN = re.compile(r"\\[1-9]|\\k<|\(\?[=!<]|\\b|\\B")


class SchemaError(ValueError):
    """A schema leaves the supported subset (the message says where)."""


def schema_counts(schema: dict) -> tuple[int, int]:
    """Check a schema (SchemaError: it leaves the subset); return its optional and union counts."""
    walk = _SchemaWalk(schema)
    walk.node(schema, "", ())
    return walk.optional, walk.unions


class _SchemaWalk:
    """Walk a schema from its root, following internal $refs, counting what SO limits."""

    def __init__(self, root: dict) -> None:
        self.root = root
        self.optional = 0
        self.unions = 0

    def fail(self, path: str, message: str) -> SchemaError:
        return SchemaError(f"{message} (at {path})" if path else message)

    def resolve(self, ref: Any, path: str) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise self.fail(path, f"External $ref is not supported: {ref!r}")
        target: Any = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise self.fail(path, f"$ref {ref!r} does not resolve")
            target = target[part]
        return target

    def node(self, node: Any, path: str, refs: tuple[str, ...]) -> None:
        if isinstance(node, bool):
            return
        if not isinstance(node, dict):
            raise self.fail(path, "a schema must be an object")
        if "$ref" in node:
            ref = node["$ref"]
            if ref in refs:
                raise self.fail(path, "Recursive schemas are not supported")
            self.node(self.resolve(ref, path), path, (*refs, ref))
        kind = node.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        for keyword in UNSUPPORTED_SCHEMA_KEYWORDS:
            if keyword in node:
                shown = next((k for k in kinds if k), "schema")
                raise self.fail(path, f"For '{shown}' type, property '{keyword}' is not supported")
        if "minItems" in node and node["minItems"] not in (0, 1):
            raise self.fail(
                path, "For 'array' type, 'minItems' values other than 0 or 1 are not supported"
            )
        is_object = "object" in kinds or "properties" in node
        if is_object and node.get("additionalProperties") is not False:
            raise self.fail(
                path,
                "For 'object' type, 'additionalProperties' must be explicitly set to false",
            )
        if "enum" in node and (
            not isinstance(node["enum"], list)
            or not all(v is None or isinstance(v, str | int | float | bool) for v in node["enum"])
        ):
            raise self.fail(path, "enum values must be strings, numbers, booleans or null")
        if "format" in node and node["format"] not in STRING_FORMATS:
            raise self.fail(path, f"String format {node['format']!r} is not supported")
        pattern = node.get("pattern")
        if isinstance(pattern, str) and COMPLEX_PATTERN.search(pattern):
            raise self.fail(path, "pattern: backreferences, lookaround and \\b are not supported")
        for keyword in ("allOf", "anyOf"):
            for k, item in enumerate(node.get(keyword) or []):
                if keyword == "allOf" and isinstance(item, dict) and "$ref" in item:
                    raise self.fail(path, "allOf combined with $ref is not supported")
                self.node(item, f"{path}.{keyword}.{k}".lstrip("."), refs)
        required = set(node.get("required") or [])
        for name, sub in (node.get("properties") or {}).items():
            target = (
                self.resolve(sub["$ref"], path) if isinstance(sub, dict) and "$ref" in sub else sub
            )
            if name not in required:
                self.optional += 1
            if isinstance(target, dict) and (
                "anyOf" in target or isinstance(target.get("type"), list)
            ):
                self.unions += 1
            self.node(sub, f"{path}.properties.{name}".lstrip("."), refs)
        if "items" in node:
            self.node(node["items"], f"{path}.items".lstrip("."), refs)
        for keyword in ("$defs", "definitions"):
            for name, sub in (node.get(keyword) or {}).items() if not path else ():
                # Definitions are checked for the subset, but only counted where referenced.
                saved = self.optional, self.unions
                ref = f"#/{keyword}/{name}"
                if ref not in refs:
                    self.node(sub, f"{keyword}.{name}", (*refs, ref))
                self.optional, self.unions = saved
