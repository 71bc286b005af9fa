"""Math templates for the Algebra domain, written as data in data/algebra.yaml."""

from __future__ import annotations

from claude_simulator.templates.base import Template
from claude_simulator.templates.engine import load

TEMPLATES: dict[str, list[Template]] = load("algebra")
