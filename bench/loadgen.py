"""Load generator for the backend benchmark, run by bench/backend.py in its own process.

It posts valid applications as the form's script does (form-urlencoded, Accept:
application/json, the site's Origin), each from a different applicant and with its own
Idempotency-Key, so every one must be stored. Two modes, both bounded in count and in time:

- closed: `--concurrency` clients each send the next application as soon as the last is
  acknowledged, until `--count` are sent or `--seconds` pass: the most the server sustains;
- open: applications start at a fixed `--rate` whatever the server does; latency is measured
  from when each should have started, so a stalled server cannot hide its queue.

Prints one JSON object: acknowledged (201s), errors, seconds, per_s, p50_ms, p99_ms, max_ms.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit


def good_answers(form: dict[str, Any], n: int) -> list[tuple[str, str]]:
    """Answers that pass every rule of `form` (no file fields), from applicant number `n`."""
    pairs: list[tuple[str, str]] = []
    for spec in form["fields"]:
        kind, fid = spec["type"], spec["id"]
        options = [o["value"] for o in spec.get("options") or []]
        if kind == "email":
            pairs.append((fid, f"applicant{n}@example.com"))
        elif kind == "tel":
            pairs.append((fid, "0121 303 1111"))
        elif kind == "postcode":
            pairs.append((fid, "B1 1BB"))
        elif kind == "number":
            pairs.append((fid, str(int(spec.get("min") or 0) + 1)))
        elif kind in ("radios", "select"):
            pairs.append((fid, options[0]))
        elif kind == "checkboxes":
            pairs.extend((fid, o) for o in options[:2])
        elif kind == "consent":
            pairs.append((fid, "yes"))
        elif kind == "date":
            pairs += [(f"{fid}-day", "3"), (f"{fid}-month", "4"), (f"{fid}-year", "2020")]
        elif kind == "file":
            continue
        elif fid == "full_name":
            pairs.append((fid, f"Applicant Number {n}"))
        else:
            pairs.append((fid, f"Some words from applicant {n}"))
    return pairs


def postable(manifest: dict[str, Any], today: str) -> list[dict[str, Any]]:
    """The forms open on `today` that need no file."""
    return [
        f
        for f in manifest["forms"]
        if f["opens"] <= today <= f["closes"]
        and not any(s["type"] == "file" and s.get("required") for s in f["fields"])
    ]


class Client:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self.conn.request("POST", path, body, headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def requests(forms: list[dict[str, Any]], start: int) -> Callable[[], tuple[str, bytes, dict[str, str]]]:
    counter = itertools.count(start)
    lock = threading.Lock()

    def next_request() -> tuple[str, bytes, dict[str, str]]:
        with lock:
            n = next(counter)
        form = forms[n % len(forms)]
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(form["form_url"]))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Origin": origin,
            "Idempotency-Key": str(uuid.uuid4()),
        }
        return (
            f"/apply/{form['council']}/{form['campaign']}",
            urlencode(good_answers(form, n)).encode(),
            headers,
        )

    return next_request


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def run(url: str, forms: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    parts = urlsplit(url)
    make = requests(forms, args.start)
    latencies: list[float] = []
    ok = errors = 0
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + args.seconds
    issued = itertools.count()
    rate = args.rate

    def worker() -> None:
        nonlocal ok, errors
        client = Client(parts.hostname or "127.0.0.1", parts.port or 80)
        while True:
            i = next(issued)
            if i >= args.count:
                return
            due = started + i / rate if rate else time.perf_counter()
            if due >= deadline:
                return
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            path, body, headers = make()
            try:
                status, reply = client.post(path, body, headers)
            except OSError:
                status, reply = 0, b""
            took = (time.perf_counter() - due) * 1000
            with lock:
                latencies.append(took)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if status == 201 and b'"duplicate"' not in reply:
                    ok += 1
                else:
                    errors += 1

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "mode": "open" if rate else "closed",
        "acknowledged": ok,
        "errors": errors,
        "statuses": statuses,
        "seconds": round(seconds, 3),
        "per_s": round(ok / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies, default=0.0), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Post valid applications to a running backend.")
    parser.add_argument("url", help="the backend, e.g. http://127.0.0.1:8001")
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--today", default="2026-11-23")
    parser.add_argument("--count", type=int, default=2000, help="at most this many applications")
    parser.add_argument("--seconds", type=float, default=10.0, help="stop starting new ones after this")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, default=0.0, help="open loop: applications per second")
    parser.add_argument("--start", type=int, default=0, help="first applicant number (keeps runs distinct)")
    args = parser.parse_args()
    forms = postable(json.loads(args.manifest.read_text(encoding="utf-8")), args.today)
    if not forms:
        raise SystemExit("no open form without a required file in the manifest")
    print(json.dumps(run(args.url, forms, args)))


if __name__ == "__main__":
    main()
