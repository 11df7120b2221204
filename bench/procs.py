"""Run a command and measure it whole: wall time and the peak memory of its process tree.

A build may fan out to worker processes, and `ru_maxrss` only gives the largest single process,
so a sampler thread walks the tree under /proc every 20 ms and sums each process's resident
(Rss) and proportional (Pss: shared pages split between the processes sharing them) set sizes
from /proc/PID/smaps_rollup. The reported peak RSS is the larger of that sampled sum and the
largest single process's `ru_maxrss` from wait4, so a spike between two samples of a
one-process tool (Hugo) is not missed. Summed Rss counts pages shared by forked workers once per
worker: it can overstate a process pool, never understate it.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

INTERVAL = 0.02


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    peak_pss_mb: float
    returncode: int
    stdout: str
    stderr: str


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
        except OSError:
            continue
        found.extend(int(p) for p in text.split())
    return found


def tree(pid: int) -> list[int]:
    """The process and all its descendants alive now."""
    seen, todo = [], [pid]
    while todo:
        current = todo.pop()
        seen.append(current)
        todo.extend(_children(current))
    return seen


def _memory_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


def tree_memory_kb(pid: int) -> tuple[int, int]:
    """Summed (Rss, Pss) in kB of the process tree rooted at `pid`."""
    rss = pss = 0
    for member in tree(pid):
        r, p = _memory_kb(member)
        rss, pss = rss + r, pss + p
    return rss, pss


def run_measured(
    command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 1800
) -> Run:
    """Run `command` to completion; its output is captured, its tree's memory sampled."""
    peak = [0, 0]
    done = threading.Event()
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )

    def sample() -> None:
        while not done.is_set():
            rss, pss = tree_memory_kb(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            done.wait(INTERVAL)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [
        threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    # wait4 reaps the child with its rusage: ru_maxrss (kB) covers it and its reaped descendants.
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    for reader in readers:
        reader.join()
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss_kb = max(peak[0], usage.ru_maxrss)
    return Run(
        seconds=seconds,
        peak_rss_mb=rss_kb / 1024,
        peak_pss_mb=max(peak[1], 0) / 1024,
        returncode=proc.returncode,
        stdout="".join(out_chunks),
        stderr="".join(err_chunks),
    )
