"""CpuPool: tasks in worker processes, ended by their deadline or memory ceiling, workers replaced
and recycled; the pool stays usable after every kind of failure."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pool_hooks
import pytest

from worker.pool import CpuPool, TaskFailed
from worker.settings import settings_with

MiB = 1024**2


@pytest.fixture
def pool() -> CpuPool:
    p = CpuPool(1, timeout=1.0, memory=768 * MiB)
    yield p
    p.close()


def test_a_task_runs_in_another_process(pool: CpuPool) -> None:
    assert pool.submit(pool_hooks.pid).result() != os.getpid()


def test_a_task_past_its_deadline_is_ended_and_its_worker_replaced(pool: CpuPool) -> None:
    first = pool.submit(pool_hooks.pid).result()
    with pytest.raises(TaskFailed, match=r"^exceeded 1 s$"):
        pool.submit(pool_hooks.sleep, 30).result(timeout=20)
    after = pool.submit(pool_hooks.pid).result(timeout=20)
    assert after != first  # the overrunning worker was killed and a fresh one took its place
    assert pool.submit(pool_hooks.sleep, 0.01).result(timeout=20) == after


def test_a_task_past_the_memory_ceiling_is_ended_and_its_worker_replaced(pool: CpuPool) -> None:
    first = pool.submit(pool_hooks.pid).result()
    assert pool.submit(pool_hooks.hoard, 64 * MiB).result(timeout=20) == 64 * MiB  # within the ceiling
    with pytest.raises(TaskFailed, match=r"^exceeded the memory ceiling of 768 MiB$"):
        pool.submit(pool_hooks.hoard, 2048 * MiB).result(timeout=20)
    assert pool.submit(pool_hooks.pid).result(timeout=20) != first


def test_a_task_error_is_raised_as_it_is_and_the_worker_stays(pool: CpuPool) -> None:
    first = pool.submit(pool_hooks.pid).result()
    with pytest.raises(ValueError, match="bad input"):
        pool.submit(pool_hooks.fail, "bad input").result(timeout=20)
    assert pool.submit(pool_hooks.pid).result(timeout=20) == first


def test_workers_are_recycled_after_their_task_count() -> None:
    with CpuPool(1, timeout=5.0, memory=0, tasks_per_process=2) as pool:
        pids = [pool.submit(pool_hooks.pid).result(timeout=20) for _ in range(5)]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]


def test_processes_zero_runs_tasks_in_this_process() -> None:
    pool = CpuPool.from_settings(settings_with(processes=0))
    assert pool.submit(pool_hooks.pid).result() == os.getpid()
    pool.close()


def test_close_ends_running_tasks_and_leaves_no_worker(tmp_path: Path) -> None:
    pool = CpuPool(2, timeout=60.0, memory=0)
    noted = tmp_path / "pids"
    busy = [pool.submit(pool_hooks.sleep_noting, str(noted), 30) for _ in range(2)]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(noted.read_text().split() if noted.exists() else []) < 2:
        time.sleep(0.05)
    pids = [int(p) for p in noted.read_text().split()]
    started = time.monotonic()
    pool.close(wait=0.2)
    assert time.monotonic() - started < 5
    for future in busy:
        with pytest.raises(TaskFailed, match="shut down"):
            future.result(timeout=0)
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_settings_give_the_budget() -> None:
    settings = settings_with(processes=3, task_timeout="5s", task_memory="2GiB", tasks_per_process=7)
    pool = CpuPool.from_settings(settings)
    assert (pool.processes, pool.timeout, pool.memory, pool.tasks_per_process) == (3, 5.0, 2 * 1024**3, 7)
    assert settings_with().processes == len(os.sched_getaffinity(0))
