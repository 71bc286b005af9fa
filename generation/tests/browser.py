"""Driving SATgen in a real browser: `serve_local` in a subprocess, Chromium through Playwright.

Shared by the browser tests (`test_browser.py`) and `scripts/screenshots.py`.

Chromium: $SATGEN_CHROMIUM, else Debian's /usr/bin/chromium (which `make test` installs where
it can), else the build Playwright downloads (`playwright install chromium`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    expect,
)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 60.0
# Variables that would change what serve_local does (a real Claude, Redis, debug pages), or
# that only this test process needs.
SCRUBBED_ENV = {
    "DEBUG",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "REDIS_URL",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def chromium_executable() -> str | None:
    """Return the Chromium to launch, or None for Playwright's own."""
    if os.environ.get("SATGEN_CHROMIUM"):
        return os.environ["SATGEN_CHROMIUM"]
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- serve_local -----------------------------------------------------------------------------


@dataclass
class LiveApp:
    """A running `manage.py serve_local` and the Claude simulator inside it."""

    url: str
    simulator_url: str
    simulator_token: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def simulator(self, path: str, body: dict | None = None) -> None:
        """POST to the simulator's control API: `latency`, `faults`, `reset`, ..."""
        request = urllib.request.Request(
            f"{self.simulator_url}/_sim/{path}",
            data=json.dumps(body or {}).encode(),
            headers={"Content-Type": "application/json", "X-Simulator-Token": self.simulator_token},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        """Stop the server (SIGTERM, as Ctrl+C would), killing it if it does not stop."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_serve_local(database: str, log: Path, media: Path) -> LiveApp:
    """Start `manage.py serve_local` on free ports against `database`; wait for /healthz.

    Test settings (a throwaway key, static files served from the app folders), DEBUG off,
    no Claude key: the simulator runs in the process on a port of its own.
    """
    port, simulator_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="satgen.settings_test",
        EMBEDDED_DB_NAME=database,
        CLAUDE_SIMULATOR_URL=f"http://127.0.0.1:{simulator_port}",
        CLAUDE_SIMULATOR_TOKEN=secrets.token_urlsafe(32),  # its control API's, for this run
        MEDIA_ROOT=str(media),
        SECURE_COOKIES="0",  # plain http on 127.0.0.1
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_local", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed whole if it hangs
    )
    app = LiveApp(
        f"http://127.0.0.1:{port}",
        env["CLAUDE_SIMULATOR_URL"],
        env["CLAUDE_SIMULATOR_TOKEN"],
        process,
        log,
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"serve_local exited with {process.returncode}:\n{app.log_tail()}")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(f"{app.url}/healthz", timeout=2) as response,
        ):
            if response.status == 200:
                return app
        if time.monotonic() > deadline:
            app.stop()
            raise RuntimeError(f"serve_local did not answer /healthz in time:\n{app.log_tail()}")
        time.sleep(0.25)


# --- a network that can fail -----------------------------------------------------------------


class CuttableProxy:
    """A TCP proxy in front of the app whose connections a test cuts, like a dropped network.

    `cut()` resets every open connection (the browser sees its WebSocket close with code
    1006, abnormal closure, as when Wi-Fi drops) and refuses new ones until `restore()`.
    """

    def __init__(self, target_url: str) -> None:
        host, port = target_url.rsplit("/", 1)[-1].split(":")
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.refusing = threading.Event()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        self.thread = threading.Thread(target=self._accept, name="cuttable-proxy", daemon=True)

    def __enter__(self) -> CuttableProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        self.cut()
        self.thread.join(timeout=5)
        self.listener.close()

    def cut(self) -> None:
        """Reset every open connection and refuse new ones until `restore()`."""
        self.refusing.set()
        with self.lock:
            connections, self.open = self.open, set()
        for sock in connections:
            _reset(sock)

    def restore(self) -> None:
        self.refusing.clear()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            if self.refusing.is_set():
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                _reset(client)
                continue
            with self.lock:
                self.open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _reset(sink)


def _reset(sock: socket.socket) -> None:
    """Drop a connection abruptly (RST); this also wakes a thread blocked reading it."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


# --- what a tutor does -----------------------------------------------------------------------


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # make browser installs it (npm)
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    # axe-core reads no MathML text, so a table header of math alone (x, f(x)) counts as
    # empty; Chromium gives screen readers the math itself.
    "rules": {"empty-table-header": {"enabled": False}},
}


def axe_violations(page: Page) -> list[str]:
    """Run axe-core on the page as it is now; return each violation with where it is."""
    # Evaluated, not added as a <script>: our Content-Security-Policy refuses inline scripts,
    # and Playwright's evaluate is not subject to the page's policy.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async (options) => (await axe.run(document, options)).violations.map(v =>
            `${v.id}: ${v.help} at ` +
            v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " + n.html).join(", "))""",
        AXE_OPTIONS,
    )
    return [f"{page.url} {violation}" for violation in violations]


# Each refusal of the Content-Security-Policy fires securitypolicyviolation in the page; this
# listener, an init script (Playwright's, which the page's policy does not apply to), reports it
# before any script of the page runs, on every page and after every navigation.
WATCH_POLICY = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__satgenRefused(
    `${location.pathname}: ${event.effectiveDirective} refused ${event.blockedURI || "inline"}` +
    ` (${event.sourceFile || "the page"}:${event.lineNumber})`
  );
});
"""


def watch_policies(context: BrowserContext, refused: list[str]) -> None:
    """Note in `refused` what the CSP refuses here, and Chromium's errors about either header."""

    def on_refusal(text: str) -> None:  # a function of ours: Playwright cannot wrap a builtin
        refused.append(text)

    context.expose_function("__satgenRefused", on_refusal)
    context.add_init_script(WATCH_POLICY)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning") and re.search(
            r"Content.Security.Policy|Permissions-Policy", message.text
        ):
            refused.append(f"{message.page.url if message.page else ''}: {message.text}")

    context.on("console", on_console)


def log_in(page: Page, username: str, password: str) -> None:
    """Open the new-job page, get sent to the login form, log in, land back on it."""
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name=re.compile("New SAT practice questions"))
    ).to_be_visible()
    # The drop zone's script is deferred: wait until it listens for drops and pastes.
    expect(page.locator("#dropzone[data-ready='true']")).to_be_attached()


# A screenshot on the clipboard, pasted with Ctrl/Cmd+V: a question drawn on a canvas, turned
# into a PNG file, handed to the page in a real ClipboardEvent (as Chromium builds one).
PASTE_SCREENSHOT = """
async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 640; canvas.height = 220;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "white"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "black"; ctx.font = "20px sans-serif";
  ctx.fillText("If 7x + 4 = 39, what is the value of x?", 20, 40);
  ["A) 5", "B) 6", "C) 7", "D) 35"].forEach((choice, i) => ctx.fillText(choice, 20, 90 + 30 * i));
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const clipboard = new DataTransfer();
  clipboard.items.add(new File([blob], "image.png", { type: "image/png" }));
  document.getElementById("dropzone").focus();
  document.activeElement.dispatchEvent(
    new ClipboardEvent("paste", { clipboardData: clipboard, bubbles: true, cancelable: true })
  );
}
"""

# Note, in the page, what its job socket does: messages, opens, close codes; and mark the page
# so a reload would show (the mark is gone after one).
WATCH_SOCKET = """
() => {
  window.__notReloaded = true;
  window.__socketMessages = 0;
  window.__lastSocketMessage = performance.now();
  window.__socketOpens = 0;
  window.__socketCloseCodes = [];
  document.body.addEventListener("htmx:wsAfterMessage", () => {
    window.__socketMessages += 1;
    window.__lastSocketMessage = performance.now();
  });
  document.body.addEventListener("htmx:wsOpen", () => { window.__socketOpens += 1; });
  document.body.addEventListener("htmx:wsClose", (event) => {
    window.__socketCloseCodes.push(event.detail.event.code);
  });
}
"""


def watch_socket(page: Page) -> None:
    page.evaluate(WATCH_SOCKET)


def not_reloaded(page: Page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def wait_for_quiet_socket(page: Page, quiet_ms: int = 1000) -> None:
    """Wait until the job socket has been quiet for `quiet_ms` (needs `watch_socket`)."""
    # A function, not an expression: Playwright evals an expression in the page, which our
    # Content-Security-Policy refuses.
    page.wait_for_function(
        "(quiet) => performance.now() - window.__lastSocketMessage > quiet", arg=quiet_ms
    )


def stage_state(page: Page, stage: str) -> Locator:
    return page.locator(f'#timeline li[data-stage="{stage}"] .stage-state')


def job_status(page: Page) -> Locator:
    return page.locator("#job-status .badge")
