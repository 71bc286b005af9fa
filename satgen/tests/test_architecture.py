"""The layers of the house (docs/architecture.md), as import-linter contracts in pyproject.toml.

The contracts: the apps are layered (satgen over sets over generation over questions and
accounts); the product never imports the Claude simulator but where serve_local starts it;
the Claude client imports nothing of ours; no app's modules import each other in a circle.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_import_contract_is_kept():
    result = _lint(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_a_contract_is_broken_by_an_import_it_forbids(tmp_path):
    # The same contracts, with the exception for serve_local removed: they must now fail,
    # naming the import, or the check above could be passing on an empty graph.
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    without = config.replace(
        'ignore_imports = ["satgen.management.commands.serve_local -> claude_simulator.server"]',
        "",
    )
    assert without != config
    (tmp_path / "pyproject.toml").write_text(without, encoding="utf-8")
    result = _lint(tmp_path / "pyproject.toml")
    assert result.returncode == 1
    assert "satgen.management.commands.serve_local -> claude_simulator.server" in result.stdout
