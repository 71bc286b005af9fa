"""Math templates for Problem-Solving and Data Analysis, as data in data/data_analysis.yaml."""

from __future__ import annotations

from claude_simulator.templates.base import Template
from claude_simulator.templates.engine import load

TEMPLATES: dict[str, list[Template]] = load("data_analysis")
