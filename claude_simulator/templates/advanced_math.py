"""Math templates for the Advanced Math domain, written as data in data/advanced_math.yaml."""

from __future__ import annotations

from claude_simulator.templates.base import Template
from claude_simulator.templates.engine import load

TEMPLATES: dict[str, list[Template]] = load("advanced_math")
