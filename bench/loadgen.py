"""Load generator for the backend benchmark, run by bench/backend.py in its own process.

It posts valid applications as the form's script does (form-urlencoded with the visit's source
in its hidden fields, Accept: application/json, the site's Origin), each from a different
applicant and with its own Idempotency-Key, so every one must be stored. Two modes, both
bounded in count and in time:

- closed: `--concurrency` clients each send the next application as soon as the last is
  acknowledged, until `--count` are sent or `--seconds` pass: the most the server sustains;
- open: applications start at a fixed `--rate` whatever the server does; latency is measured
  from when each should have started, so a stalled server cannot hide its queue.

It shares the machine with the server it measures, so it takes as little of it as it can: the
requests are written out before the clock starts, and the clients are asyncio connections that
read just the status line, Content-Length and body of each answer (90 us of CPU a request, a
third of what http.client's threads took, which left that much less for the server).

Prints one JSON object: acknowledged (201s), errors, seconds, per_s, p50_ms, p99_ms, max_ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
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


def requests(forms: list[dict[str, Any]], host: str, start: int, count: int) -> list[bytes]:
    """`count` whole HTTP/1.1 requests, applicant numbers from `start`, round the forms."""
    built = []
    for n in range(start, start + count):
        form = forms[n % len(forms)]
        # as the form's script sends them: the answers, and where the visit came from
        source = [("utm_source", "facebook"), ("utm_campaign", f"launch-{n % 5}"), ("counted", "1")]
        body = urlencode(good_answers(form, n) + source).encode()
        site = urlsplit(form["form_url"])
        head = (
            f"POST /apply/{form['council']}/{form['campaign']} HTTP/1.1\r\n"
            f"Host: {host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Accept: application/json\r\n"
            f"Origin: {site.scheme}://{site.netloc}\r\n"
            f"Idempotency-Key: {uuid.uuid4()}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        built.append(head.encode() + body)
    return built


PAGES = ("landing", "roles", "apply")
VISITOR = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"


def event_requests(forms: list[dict[str, Any]], host: str, start: int, count: int) -> list[bytes]:
    """`count` page views as the pages' script sends them (POST /events, text/plain JSON)."""
    built = []
    for n in range(start, start + count):
        form = forms[n % len(forms)]
        site = urlsplit(form["form_url"])
        origin = f"{site.scheme}://{site.netloc}"
        body = json.dumps({
            "page": PAGES[n % len(PAGES)], "council": form["council"], "campaign": form["campaign"],
            "url": f"{origin}/{form['council']}/{form['campaign']}/?utm_source=facebook&utm_campaign={n % 7}",
            "referrer": "https://m.facebook.com/",
        }).encode()  # fmt: skip
        head = (
            f"POST /events HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain;charset=UTF-8\r\n"
            f"Origin: {origin}\r\nUser-Agent: {VISITOR} {n % 1000}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        built.append(head.encode() + body)
    return built


class Client:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, request: bytes) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                if self.streams is None:
                    self.streams = await asyncio.open_connection(self.host, self.port)
                reader, writer = self.streams
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status, length, close = _head(head)
                body = await reader.readexactly(length)
                if close:
                    self.close()
                return status, body
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                self.close()
                if attempt:
                    raise ConnectionError("the server closed the connection") from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


def _head(head: bytes) -> tuple[int, int, bool]:
    """(status, Content-Length, whether the server closes) from a response's head."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
    return status, length, close


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


async def run(url: str, forms: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    count = args.count if not args.rate else min(args.count, int(args.rate * args.seconds) + 1)
    prepared = (event_requests if args.events else requests)(forms, parts.netloc, args.start, count)
    wanted = 204 if args.events else 201
    latencies: list[float] = []
    ok = errors = 0
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    deadline = started + args.seconds
    issued = iter(range(count))
    rate = args.rate

    async def worker() -> None:
        nonlocal ok, errors
        client = Client(host, port)
        try:
            for i in issued:
                due = started + i / rate if rate else time.perf_counter()
                if due >= deadline:
                    return
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                try:
                    status, reply = await client.post(prepared[i])
                except OSError:
                    status, reply = 0, b""
                latencies.append((time.perf_counter() - due) * 1000)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if status == wanted and b'"duplicate"' not in reply:
                    ok += 1
                else:
                    errors += 1
        finally:
            client.close()

    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
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
    parser.add_argument("--events", action="store_true", help="post page views (/events), not applications")
    args = parser.parse_args()
    forms = postable(json.loads(args.manifest.read_text(encoding="utf-8")), args.today)
    if not forms:
        raise SystemExit("no open form without a required file in the manifest")
    print(json.dumps(asyncio.run(run(args.url, forms, args))))


if __name__ == "__main__":
    main()
