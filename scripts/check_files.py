"""Refuse large files and binary files in the repository (pre-commit's hook; make lint).

Usage: check_files.py [PATH ...]   (no paths: every file git tracks or would add)
"""

from __future__ import annotations

import fnmatch
import subprocess
import sys
from pathlib import Path

MAX_BYTES = 512 * 1024
# Binary files we keep on purpose: the README's screenshots (make screenshots retakes them).
BINARY_ALLOWED = ("docs/screenshots/*.png",)
# What a checkout holds that is never committed (.gitignore's folders).
LOCAL_STATE = {".git", ".venv", ".data", "media", "staticfiles", "__pycache__", ".mypy_cache",
               ".pytest_cache", ".ruff_cache", ".grimp_cache", ".import_linter_cache"}  # fmt: skip


def problem(path: Path) -> str | None:
    """Return why the file may not be committed, or None."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        return f"{size:,} bytes, over the {MAX_BYTES:,}-byte limit"
    with path.open("rb") as handle:
        head = handle.read(8192)
    if b"\0" in head and not any(fnmatch.fnmatch(path.as_posix(), p) for p in BINARY_ALLOWED):
        return "a binary file (only docs/screenshots/*.png may be)"
    return None


def _project_files() -> list[str]:
    """Every file git tracks or would add; outside a git checkout, the tree less local state."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
    )
    if listed.returncode == 0:
        return listed.stdout.splitlines()
    return [
        path.as_posix()
        for path in Path().rglob("*")
        if path.is_file() and not LOCAL_STATE.intersection(path.parts)
    ]


def main(paths: list[str]) -> int:
    paths = paths or _project_files()
    failures = 0
    for name in paths:
        path = Path(name)
        if not path.is_file():
            continue  # deleted in the work tree
        reason = problem(path)
        if reason:
            print(f"{name}: {reason}", file=sys.stderr)
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
