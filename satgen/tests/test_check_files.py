"""scripts/check_files.py: the pre-commit hook that keeps large and binary files out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(*paths: Path | str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_files.py"), *map(str, paths)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_tree_as_committed_passes():
    result = _check()
    assert result.returncode == 0, result.stderr


def test_a_large_file_and_a_binary_file_are_refused_by_name(tmp_path):
    large = tmp_path / "dump.sql"
    large.write_text("x" * (512 * 1024 + 1))
    binary = tmp_path / "model.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    text = tmp_path / "notes.md"
    text.write_text("fine\n")
    result = _check(large, binary, text)
    assert result.returncode == 1
    assert f"{large}: 524,289 bytes" in result.stderr
    assert f"{binary}: a binary file" in result.stderr
    assert str(text) not in result.stderr


def test_screenshots_are_the_one_binary_kind_allowed(tmp_path):
    shots = tmp_path / "docs" / "screenshots"
    shots.mkdir(parents=True)
    (shots / "job.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    (tmp_path / "docs" / "job.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    result = _check("docs/screenshots/job.png", "docs/job.png", cwd=tmp_path)
    assert result.returncode == 1
    assert "docs/job.png: a binary file" in result.stderr
    assert "docs/screenshots/job.png:" not in result.stderr


def test_outside_a_git_checkout_it_walks_the_tree_less_local_state(tmp_path):
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "torch.so").write_bytes(b"\0" * 10)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text("ok = True\n")
    (tmp_path / "app" / "blob.bin").write_bytes(b"\0\1\2")
    result = _check(cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "app/blob.bin: a binary file (only docs/screenshots/*.png may be)"
    ]
