"""Who may reach the simulator: loopback only, no web page, and the control API by token."""

from __future__ import annotations

from urllib.parse import urlsplit

import anthropic
import httpx2
import psutil
import pytest

from claude_simulator import SimulatorServer
from claude_simulator import __main__ as command_module
from claude_simulator.tests.support import stage_request

FAULT = {"kind": "rate_limit", "task": "solve"}
SOLUTION = {"answer": "B", "reasoning": "x = 4.", "confident": True}


@pytest.fixture
def server():
    simulator = SimulatorServer(responder=lambda task, body: dict(SOLUTION)).start()
    yield simulator
    simulator.stop()


def control(server: SimulatorServer, token: str | None = None, **headers: str) -> httpx2.Client:
    if token is not None:
        headers["X-Simulator-Token"] = token
    return httpx2.Client(base_url=server.url, headers=headers, timeout=5)


def solve(server: SimulatorServer) -> None:
    """Make a solve call as the SDK does (no Origin): it fails if a fault was injected."""
    client = anthropic.Anthropic(api_key="test", base_url=server.url, max_retries=0, timeout=5)
    client.messages.create(**stage_request("solve"))


def test_it_listens_on_loopback_only_and_cannot_be_told_otherwise(server):
    (listening,) = [
        conn
        for conn in psutil.Process().net_connections(kind="tcp")
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == urlsplit(server.url).port
    ]
    assert listening.laddr.ip == "127.0.0.1"
    with pytest.raises(SystemExit):
        command_module.parser().parse_args(["--host", "0.0.0.0"])


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},  # a sandboxed frame or a file:// page
        {"Origin": "https://127.0.0.1"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Host": "rebound.example"},  # DNS rebinding: the page's own name, our address
    ],
)
def test_a_request_from_a_web_page_is_refused_even_with_the_token(server, headers):
    with control(server, server.token, **headers) as client:
        refused = client.post("/_sim/faults", json=FAULT)

    assert refused.status_code == 403
    assert refused.json()["error"]["type"] == "permission_error"
    solve(server)  # the refused request injected no fault


def test_a_text_plain_form_post_from_another_site_is_refused(server):
    # What <form enctype="text/plain"> or a no-cors fetch can send: no custom header.
    with control(server, Origin="http://evil.example", **{"Content-Type": "text/plain"}) as client:
        refused = client.post("/_sim/faults", content=b'{"kind": "rate_limit"}')

    assert refused.status_code == 403
    solve(server)  # the refused request injected no fault


@pytest.mark.parametrize(
    ("token", "status", "error"),
    [(None, 401, "authentication_error"), ("guessed", 403, "permission_error")],
)
def test_a_control_call_without_this_runs_token_is_refused(server, token, status, error):
    with control(server, token) as client:
        refused = [client.post("/_sim/faults", json=FAULT), client.get("/_sim/requests")]

    assert [(r.status_code, r.json()["error"]["type"]) for r in refused] == [(status, error)] * 2
    assert "X-Simulator-Token" in refused[0].json()["error"]["message"]
    solve(server)  # the refused request injected no fault


def test_a_control_call_with_the_token_from_its_own_origin_works(server):
    own = {"Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    with control(server, server.token, **own) as client:
        assert client.post("/_sim/faults", json=FAULT).is_success
        assert len(client.get("/_sim/requests").json()) == 0

    with pytest.raises(anthropic.RateLimitError):
        solve(server)


def test_each_run_has_its_own_token_unless_its_launcher_picks_one(monkeypatch):
    assert SimulatorServer().token != SimulatorServer().token
    monkeypatch.setenv("CLAUDE_SIMULATOR_TOKEN", "picked-by-the-launcher")
    assert SimulatorServer().token == "picked-by-the-launcher"
