"""Check a running SATgen from outside, as an attacker would (docs/security.md, "From outside").

Run against `make run` (or any deployment you may test), with a tutor's API token and
password (`manage.py createtutor NAME --api-token`):

    .venv/bin/python scripts/outside_check.py --url http://127.0.0.1:8000 \
        --username NAME --password PASSWORD --token sg_...

Only HTTP, like any client: a burst of paid jobs must meet a 429 with Retry-After; a NUL byte
must be a 4xx; every file of a hostile upload corpus must get a 4xx or be accepted
(normalised), never a 5xx; pages must carry a Content-Security-Policy; and 30 wrong passwords
must lock the login, the right one included (so run it last: it leaves NAME locked out from
this address for the cool-off, or until staff unlock it). Prints one line per check and
exits 1 if any fails.
"""

from __future__ import annotations

import argparse
import io
import re
import struct
import sys
import zlib
from collections.abc import Callable, Iterator

import requests
from PIL import Image

# --- the hostile upload corpus --------------------------------------------------------------


def _png(mode: str = "RGB", size: tuple[int, int] = (900, 500), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 7 if mode in {"P", "I;16", "L"} else (90, 120, 200)).save(
        buffer, "PNG", **save
    )
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _declared_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width x height (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels)


def _jpeg(mode: str = "RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (1200, 800), (10, 20, 30, 40)[: len(mode)]).save(buffer, "JPEG", **save)
    return buffer.getvalue()


def _gif_animated() -> bytes:
    frames = [Image.new("P", (600, 400), colour) for colour in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def corpus() -> Iterator[tuple[str, str, bytes]]:
    """(what it is, the name it is sent under, its bytes)."""
    png = _png()
    yield "empty file", "q.png", b""
    yield "one byte", "q.png", b"\x89"
    yield "truncated PNG", "q.png", png[: len(png) // 2]
    yield "PNG with a broken CRC", "q.png", png[:40] + bytes([png[40] ^ 0xFF]) + png[41:]
    yield "decompression bomb (100,000 x 100,000 declared)", "bomb.png", _declared_png(10**5, 10**5)
    yield "just under the pixel cap (6300 x 6300, one colour)", "big.png", _png(size=(6300, 6300))
    yield "16-bit grey PNG", "q.png", _png("I;16")
    yield "palette PNG with transparency", "q.png", _png("P", transparency=0)
    yield "RGBA PNG", "q.png", _png("RGBA")
    yield "CMYK JPEG", "q.jpg", _jpeg("CMYK")
    yield "JPEG with garbage EXIF", "q.jpg", _jpeg(exif=b"Exif\0\0" + b"\xff" * 200)
    yield "animated GIF", "q.gif", _gif_animated()
    yield "PNG/HTML polyglot named .html", "poly.html", png + b"<script>alert(1)</script>"
    yield "HTML named .png", "q.png", b"<!doctype html><script>alert(1)</script>"
    yield (
        "SVG with a script",
        "q.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
    )
    yield "PDF", "q.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    yield "ZIP", "q.zip", b"PK\x03\x04" + b"\0" * 60
    yield "plain text", "q.txt", b"If 2x + 3 = 11, what is x?"
    yield "a name with a path and NUL", "../../etc/passwd\0.png", png
    yield "over the size cap (12 MB)", "huge.png", png + b"\0" * (12 * 1024 * 1024)


# --- the checks ------------------------------------------------------------------------------


class Session(requests.Session):
    """A requests session against one server: paths, not URLs."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        super().__init__()
        self.url = url
        self.headers.update(headers or {})

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", 120)
        return super().request(method, self.url + url, *args, **kwargs)


class Checks:
    def __init__(self, url: str, token: str, username: str, password: str) -> None:
        self.url, self.username, self.password = url.rstrip("/"), username, password
        self.api = Session(self.url, {"Authorization": f"Bearer {token}"})
        self.failed = 0

    def report(self, ok: bool, what: str, seen: str) -> None:
        self.failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {what}: {seen}")

    def nul_byte(self) -> None:
        answer = self.api.post("/api/v1/jobs/", data={"text": "If x = 2\0, what is x?"})
        self.report(400 <= answer.status_code < 500, "a NUL byte in text", str(answer.status_code))

    def hostile_uploads(self) -> None:
        for what, name, data in corpus():
            answer = self.api.post(
                "/api/v1/jobs/", data={"count": "1"}, files={"image": (name, data)}
            )
            status = answer.status_code
            detail = answer.json().get("detail", "") if status != 202 and _is_json(answer) else ""
            if status == 202:
                self.api.post(f"/api/v1/jobs/{answer.json()['id']}/cancel")
            # 429 would be a limit, not the file's verdict: the corpus is sent within the limits.
            ok = status == 202 or (400 <= status < 500 and status != 429 and bool(detail))
            self.report(ok, f"upload: {what}", f"{status} {detail[:90]}".strip())

    def burst(self, jobs: int = 40) -> None:
        statuses, retry_after = [], ""
        for n in range(jobs):
            answer = self.api.post(
                "/api/v1/jobs/", data={"text": f"If 3x + {n} = 19, what is x?", "count": "10"}
            )
            statuses.append(answer.status_code)
            if answer.status_code == 202:
                self.api.post(f"/api/v1/jobs/{answer.json()['id']}/cancel")
            retry_after = retry_after or answer.headers.get("Retry-After", "")
        ok = 429 in statuses and retry_after.isdigit() and 500 not in statuses
        seen = f"{statuses.count(202)} accepted, {statuses.count(429)} refused 429"
        self.report(ok, f"a burst of {jobs} paid jobs", f"{seen}, Retry-After {retry_after}")

    def csp(self) -> None:
        for path in ("/accounts/login/", "/api/v1/jobs/"):
            client = self.api if path.startswith("/api") else Session(self.url)
            policy = client.get(path).headers.get("Content-Security-Policy", "")
            ok = "default-src" in policy and "'unsafe-inline'" not in _directive(
                policy, "script-src"
            )
            self.report(ok, f"CSP on {path}", policy[:100] or "none")

    def lockout(self, attempts: int = 30) -> None:
        browser = Session(self.url)
        statuses = [self._login(browser, "wrong-" + str(n)).status_code for n in range(attempts)]
        right = self._login(browser, self.password)
        ok = 429 in statuses and right.status_code == 429
        locked = statuses.index(429) + 1 if 429 in statuses else "never"
        seen = f"locked out at failure {locked}; then the right password: {right.status_code}"
        self.report(ok, f"{attempts} wrong passwords, then the right one", seen)

    def _login(self, browser: Session, password: str) -> requests.Response:
        page = browser.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return browser.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": password,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.url + "/accounts/login/"},
        )


def _is_json(answer: requests.Response) -> bool:
    return answer.headers.get("Content-Type", "").startswith("application/json")


def _directive(policy: str, name: str) -> str:
    found = [part for part in policy.split(";") if part.strip().startswith(name)]
    return found[0] if found else _directive(policy, "default-src") if name != "default-src" else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    checks = Checks(args.url, args.token, args.username, args.password)
    steps: list[Callable[[], None]] = [
        checks.csp,
        checks.nul_byte,
        checks.hostile_uploads,
        checks.burst,
        checks.lockout,
    ]
    for step in steps:
        step()
    print(f"{checks.failed} failed")
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
