"""The locks: every dependency, direct or not, pinned with its hashes and installed as pinned.

requirements.txt and requirements-dev.txt say what we chose and why; `make lock` (pip-compile)
writes requirements.lock and requirements-dev.lock from them, and make installs only those,
with --require-hashes.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)(?:\[[^\]]*\])?==(\S+)")


def _chosen(name: str) -> dict[str, str]:
    """The pins of a requirements file (not the files it includes)."""
    pins: dict[str, str] = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _locked(name: str) -> dict[str, tuple[str, list[str]]]:
    """Each entry of a lock: its version and its hashes."""
    entries: dict[str, tuple[str, list[str]]] = {}
    text = (ROOT / name).read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = PIN.match(block)
        if match:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
            entries[canonicalize_name(match.group(1))] = (match.group(2), hashes)
    return entries


@pytest.mark.parametrize(
    ("chosen", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_every_chosen_pin_is_locked_at_its_version(chosen, lock):
    locked = _locked(lock)
    for name, version in _chosen(chosen).items():
        assert name in locked, f"{name} is in {chosen} but not in {lock}: run make lock"
        # torch's CPU build carries a local label (2.13.0+cpu) that its pin leaves out.
        assert Version(locked[name][0]).public == Version(version).public, (
            f"{name}=={version} in {chosen}, {locked[name][0]} in {lock}: run make lock"
        )


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_dependency_has_a_hash(lock):
    locked = _locked(lock)
    assert len(locked) > 50
    assert [name for name, (_, hashes) in locked.items() if not hashes] == []
    assert not re.search(
        r"^\s*(-e|--index-url|--extra-index-url|--find-links)", (ROOT / lock).read_text(), re.M
    )


def test_the_development_lock_holds_the_runtime_lock_unchanged():
    runtime, dev = _locked("requirements.lock"), _locked("requirements-dev.lock")
    assert {name: version for name, (version, _) in runtime.items()} == {
        name: dev[name][0] for name in runtime
    }


def test_this_environment_is_installed_as_the_development_lock_says():
    wrong = {}
    for name, (version, _) in _locked("requirements-dev.lock").items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if installed == "missing" or Version(installed) != Version(version):
            wrong[name] = (version, installed)
    assert wrong == {}, f"locked vs installed: {wrong}; run make test (it installs the lock)"
