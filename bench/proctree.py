"""Run a command and measure it: wall time, CPU time and the peak memory of its whole process tree.

A thread samples /proc every `interval` seconds while the command runs: the process and all its
descendants (found through the parent pid of every process in /proc), summing VmRSS (from
/proc/PID/status) and Pss (from /proc/PID/smaps_rollup). The peak is of the sums at one instant.
os.wait4 adds the CPU time (user + system) of the process and the descendants it waited for and the
largest resident set of any one of them (ru_maxrss), which catches peaks between two samples.
/proc/stat gives the CPU time the whole machine was busy meanwhile, so that a caller can tell how
much of it other processes took (`others`): on a shared 2-core machine that is what skews a wall time.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import IO

KIB = 1024


@dataclass
class Measured:
    returncode: int
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and its waited-for descendants
    max_rss_one: float  # MiB, the largest single process (ru_maxrss)
    peak_rss_sum: float = 0.0  # MiB, all processes of the tree together, at the worst sample
    peak_pss_sum: float = 0.0  # MiB, likewise with proportional set size (shared pages split)
    peak_processes: int = 0  # most processes seen in the tree at one sample
    samples: int = 0
    busy: float = 0.0  # CPU seconds the whole machine was busy (all processes) during the run
    own: float = 0.0  # CPU seconds of this (measuring) process during the run

    def others(self, also_ours: float = 0.0) -> float:
        """Cores other processes kept busy on average (minus also_ours CPU seconds, e.g. the site's)."""
        return max(0.0, self.busy - self.cpu - self.own - also_ours) / self.wall if self.wall else 0.0


def _ppids() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue  # gone meanwhile
        children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(name))
    return children


def tree(root: int) -> list[int]:
    """root and all its descendants that are alive now."""
    children = _ppids()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _field_kib(path: str, name: str) -> int:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(name):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory(root: int) -> tuple[float, float, int]:
    """(RSS MiB, PSS MiB, processes) of root and its descendants now."""
    pids = tree(root)
    rss = sum(_field_kib(f"/proc/{pid}/status", "VmRSS:") for pid in pids)
    pss = sum(_field_kib(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in pids)
    return rss / KIB, pss / KIB, len(pids)


def machine_busy() -> float:
    """CPU seconds all cores have been busy since boot (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def wait_quiet(limit: float, cores: float = 0.3, window: float = 2.0) -> tuple[float, float]:
    """Wait (at most `limit` seconds) until the machine is busy less than `cores` on average over
    `window` seconds. Returns (seconds waited, load of the last window in cores)."""
    started = time.monotonic()
    while True:
        busy, own = machine_busy(), time.process_time()
        time.sleep(window)
        load = (machine_busy() - busy - (time.process_time() - own)) / window
        waited = time.monotonic() - started
        if load < cores or waited >= limit:
            return waited, load


def cpu_seconds(pid: int) -> float:
    """utime + stime of one running process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(cmd: list[str], *, env: dict[str, str] | None = None, stdin: IO[bytes] | None = None,
            stdout: IO[bytes] | None = None, interval: float = 0.2, sample: bool = True) -> Measured:
    """Run cmd to the end; its stdout goes to `stdout` (a file: nothing is buffered here)."""
    busy, own = machine_busy(), time.process_time()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=stdin, stdout=stdout)
    peak = [0.0, 0.0, 0.0, 0.0]  # rss, pss, processes, samples
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            rss, pss, n = tree_memory(proc.pid)
            peak[0], peak[1], peak[2] = max(peak[0], rss), max(peak[1], pss), max(peak[2], n)
            peak[3] += 1
            stop.wait(interval)

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stop.set()
    if sample:
        thread.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(proc.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / KIB,
                    peak[0], peak[1], int(peak[2]), int(peak[3]), machine_busy() - busy,
                    time.process_time() - own)
