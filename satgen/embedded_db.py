"""Embedded PostgreSQL 16 + pgvector for local runs and tests (no system service needed).

Each process using the server holds a lock on a file of its own in `<datadir>.users/` for as
long as it lives; the kernel drops the lock however the process ends (Ctrl+C, kill, a crash),
where pgserver's own count of users missed every process that did not exit cleanly. A watcher
process, started with the server in a session of its own, stops it once no lock is held.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import parse_qs, urlparse

logger = logging.getLogger(__name__)

WATCH_INTERVAL = 0.5  # seconds between the watcher's looks at who still uses the server
STOP_TIMEOUT = 60.0
_users: dict[Path, int] = {}  # datadir -> this process's lock on its user file


def embedded_database(datadir: Path) -> dict[str, str]:
    """Start (or join) the embedded server in datadir and return Django connection settings.

    The server is shared by every process started from this checkout and stops when the
    last of them exits; its data stays in datadir and is reused by the next run.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its fallback is fine.
        warnings.simplefilter("ignore")
        import pgserver  # only imported when no DATABASE_URL is configured

    datadir = datadir.expanduser().resolve()
    users = _users_dir(datadir)
    users.mkdir(parents=True, exist_ok=True)
    # Joining and stopping are serialised, so the watcher never stops a server being joined.
    with _locked(users / ".lock"):
        if datadir not in _users:
            user = _lock(users / str(os.getpid()), wait=False)
            if user is None:
                raise RuntimeError(f"another process holds this process's lock in {users}")
            _users[datadir] = user
        server = pgserver.get_server(datadir, cleanup_mode=None)  # the watcher stops it
        _start_watcher(datadir, users)
    uri = urlparse(server.get_uri())
    socket_dir = parse_qs(uri.query)["host"][0]
    logger.debug("embedded PostgreSQL at %s", socket_dir)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }


def watch(datadir: Path) -> None:
    """Stop the server in datadir once no process holds a user lock (the watcher's loop)."""
    users = _users_dir(datadir)
    watching = _lock(users / ".watcher", wait=False)
    if watching is None:
        return  # another watcher got there first
    while True:
        time.sleep(WATCH_INTERVAL)
        with _locked(users / ".lock"):
            if [path for path in users.glob("[0-9]*") if _in_use(path)]:
                continue
            _stop(datadir)
            # Let go while still holding .lock: the next process to join starts a watcher.
            os.close(watching)
            return


def _users_dir(datadir: Path) -> Path:
    return datadir.with_name(f"{datadir.name}.users")


def _lock(path: Path, *, wait: bool) -> int | None:
    """Return a descriptor holding path's lock, or None if another process holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = _lock(path, wait=True)
    assert fd is not None
    try:
        yield
    finally:
        os.close(fd)


def _in_use(user_file: Path) -> bool:
    """Return whether the process of this user file still lives; forget the file if not."""
    fd = _lock(user_file, wait=False)
    if fd is None:
        return True
    user_file.unlink()
    os.close(fd)
    return False


def _start_watcher(datadir: Path, users: Path) -> None:
    free = _lock(users / ".watcher", wait=False)
    if free is None:
        return  # one is watching
    os.close(free)
    with (users / "watcher.log").open("a") as log:
        subprocess.Popen(
            [sys.executable, "-m", "satgen.embedded_db", str(datadir)],
            cwd=Path(__file__).resolve().parents[1],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # Ctrl+C in the terminal stops its users, not it
        )


def _stop(datadir: Path) -> None:
    """Shut the server down fast (SIGINT: sessions end, work in progress rolls back)."""
    import psutil
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(datadir)
    with suppress(psutil.NoSuchProcess):
        if info is None or info.process is None or info.process.name() != "postgres":
            return  # not running, or a stale pid now used by something else
        logger.info("no process uses %s any more: stopping its server", datadir)
        info.process.send_signal(signal.SIGINT)
        info.process.wait(timeout=STOP_TIMEOUT)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    warnings.simplefilter("ignore")  # as in embedded_database
    watch(Path(sys.argv[1]))
