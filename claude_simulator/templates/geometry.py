"""Math templates for Geometry and Trigonometry, written as data in data/geometry.yaml."""

from __future__ import annotations

from claude_simulator.templates.base import Template
from claude_simulator.templates.engine import load

TEMPLATES: dict[str, list[Template]] = load("geometry")
