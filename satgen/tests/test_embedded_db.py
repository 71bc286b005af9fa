"""The embedded PostgreSQL stops when the last process using it exits, however it exits.

Real processes on a data directory of the test's own (the suite's shared server is never
touched): each starts or joins the server, then waits until the test ends it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from satgen.embedded_db import WATCH_INTERVAL

ROOT = Path(__file__).resolve().parents[2]
USER = """
import sys
from pathlib import Path
from satgen.embedded_db import embedded_database
embedded_database(Path(sys.argv[1]))
print("ready", flush=True)
sys.stdin.read()  # until the test closes stdin, or signals or kills this process
"""
STOPS_WITHIN = 20.0  # seconds: the watcher looks every WATCH_INTERVAL, then a fast shutdown


@pytest.fixture(scope="module")
def datadir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    datadir = tmp_path_factory.mktemp("embedded") / "pg"
    yield datadir
    left = postmaster(datadir)  # stop what a failing test left running
    if left is not None:
        left.send_signal(signal.SIGINT)
        left.wait(timeout=STOPS_WITHIN)


def start_user(datadir: Path) -> subprocess.Popen:
    """Start a process that starts or joins the server; return once it is connected."""
    process = subprocess.Popen(
        [sys.executable, "-c", USER, str(datadir)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    return process


def postmaster(datadir: Path) -> psutil.Process | None:
    pid_file = datadir / "postmaster.pid"
    if not pid_file.exists():
        return None
    try:
        return psutil.Process(int(pid_file.read_text().split()[0]))
    except psutil.NoSuchProcess:
        return None


def exit_normally(process: subprocess.Popen) -> None:
    assert process.stdin is not None
    process.stdin.close()


ENDINGS = {
    "Ctrl+C": lambda process: os.killpg(process.pid, signal.SIGINT),
    "SIGTERM": lambda process: process.terminate(),
    "SIGKILL": lambda process: process.kill(),
    "a normal exit": exit_normally,
}


@pytest.mark.parametrize("ending", ["Ctrl+C", "SIGTERM", "SIGKILL"])
def test_the_server_stops_when_its_only_user_ends(datadir, ending):
    user = start_user(datadir)
    server = postmaster(datadir)
    assert server is not None and server.is_running()

    ENDINGS[ending](user)
    user.wait(timeout=10)

    server.wait(timeout=STOPS_WITHIN)  # raises TimeoutExpired if it keeps running
    assert postmaster(datadir) is None


def test_a_second_user_keeps_it_running_until_that_one_ends_too(datadir):
    first = start_user(datadir)
    second = start_user(datadir)
    server = postmaster(datadir)
    assert server is not None

    exit_normally(first)
    first.wait(timeout=10)
    time.sleep(4 * WATCH_INTERVAL)  # the watcher has looked, more than once
    assert server.is_running()
    assert postmaster(datadir) == server

    ENDINGS["SIGKILL"](second)
    second.wait(timeout=10)
    server.wait(timeout=STOPS_WITHIN)


def test_a_user_joining_after_a_stop_gets_a_running_server_again(datadir):
    first = start_user(datadir)
    stopped = postmaster(datadir)
    assert stopped is not None
    exit_normally(first)
    stopped.wait(timeout=STOPS_WITHIN)

    again = start_user(datadir)
    try:
        server = postmaster(datadir)
        assert server is not None and server.is_running() and server.pid != stopped.pid
    finally:
        again.kill()
        again.wait(timeout=10)
    server.wait(timeout=STOPS_WITHIN)
