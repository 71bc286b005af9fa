"""Start many jobs at once through the API, as many tutors pressing the button together would.

Run against a running SATgen (e.g. `make run`), with an API token (`createtutor --api-token`):

    .venv/bin/python bench/burst.py --url http://127.0.0.1:8000 --token sg_... [--jobs 100]

Sends N job requests at once (one thread each), then waits for every job to finish. Prints
the HTTP statuses, how many jobs ended in each state, and how long it took. Nothing here is
mocked: it is the server's own API, database, queue and (without a key) the simulator.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import time
import urllib.error
import urllib.parse
import urllib.request

QUESTION = "If 3x + {n} = 19, what is the value of x?\nA) 3\nB) 5\nC) 7\nD) 9"


def call(url: str, token: str, *, data: dict[str, str] | None = None) -> tuple[int, dict]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True)
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--count", default="1", help="questions per job")
    args = parser.parse_args()
    jobs_url = f"{args.url}/api/v1/jobs/"

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        replies = list(
            pool.map(
                lambda n: call(
                    jobs_url, args.token, data={"text": QUESTION.format(n=n), "count": args.count}
                ),
                range(args.jobs),
            )
        )
    accepted = time.monotonic() - started
    statuses = collections.Counter(status for status, _ in replies)
    print(f"{args.jobs} requests at once: HTTP {dict(statuses)} in {accepted:.1f} s")

    ids = [body["id"] for status, body in replies if status == 202]
    states: collections.Counter = collections.Counter()
    while ids:
        time.sleep(2)
        states.clear()
        for job_id in ids:
            states[call(f"{jobs_url}{job_id}", args.token)[1].get("status", "?")] += 1
        if not {"queued", "running"} & set(states):
            break
    print(f"jobs: {dict(states)} after {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
