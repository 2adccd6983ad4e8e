"""Lease owner ids and the dead-or-alive decision: plain values, then real processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from worker.pipeline import leases
from worker.pipeline.leases import Here, Owner, describe, format_owner, judge, parse_owner

HERE = Here("web-1", "0123abcd")


def owner(**kw: object) -> Owner:
    values: dict[str, object] = {"host": "web-1", "pid": 4242, "start": 1000, "machine": "0123abcd",
                                 "tail": "beef01"}
    values.update(kw)
    return Owner(**values)  # type: ignore[arg-type]


def test_an_owner_id_round_trips_and_fits_the_column() -> None:
    text = format_owner(owner())
    assert text == "web-1:4242:1000:0123abcd:beef01"
    assert parse_owner(text) == owner()
    assert parse_owner(format_owner(owner(start=None))) == owner(start=None)  # no /proc: start unknown
    mine = leases.new_owner_id()
    parsed = parse_owner(mine)
    assert parsed is not None and parsed.pid == os.getpid() and len(mine) <= 64
    assert mine != leases.new_owner_id()  # two workers in one process hold different leases


def test_a_long_host_name_is_cut_so_the_id_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(leases.socket, "gethostname", lambda: "a-very-long-host-name." * 6)
    mine = leases.new_owner_id()
    assert len(mine) <= 64 and parse_owner(mine) is not None
    assert len(format_owner(owner(host="h" * 24, pid=4194304, start=10**12 - 1))) <= 64
    with pytest.raises(ValueError, match="longer than 64"):
        format_owner(owner(host="h" * 40, start=10**12))


@pytest.mark.parametrize("text", [
    "web-1:4242:beef0123",  # the older host:pid:random form: liveness unknown
    "test", "other-worker", "", "a:b:c:d:e", "web-1:x:1:0123abcd:beef", "web-1:1:1:0123abcd:",
    "web-1:1:1:0123abcg:beef", "web-1:1:1:0123abc:beef", ":1:1:0123abcd:beef",
])
def test_ids_of_another_form_are_not_parsed_and_never_judged_dead(text: str) -> None:
    assert parse_owner(text) is None
    assert not leases.owner_is_dead_here(text)


def test_describe_names_host_and_pid() -> None:
    assert describe("web-1:4242:1000:0123abcd:beef01") == "web-1:4242"
    assert describe("web-1:4242:beef0123") == "web-1:4242"
    assert describe("other-worker") == "other-worker"


def test_judging_with_plain_values() -> None:
    assert judge(owner(), HERE, running=False, start=None)  # the pid is gone
    assert judge(owner(), HERE, running=True, start=2000)  # the pid now names a later process
    assert not judge(owner(), HERE, running=True, start=1000)  # the same process, alive
    assert not judge(owner(start=None), HERE, running=True, start=2000)  # start unknown: may be alive
    assert not judge(owner(), HERE, running=True, start=None)
    assert not judge(owner(host="web-2"), HERE, running=False, start=None)  # another host: unknown
    assert not judge(owner(machine="ffffffff"), HERE, running=False, start=None)  # other boot or namespace


def _exited_child_owner() -> str:
    """The owner id a worker process had: the child makes it, prints it and exits."""
    code = "from worker.pipeline.leases import new_owner_id; print(new_owner_id())"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_a_process_that_exited_is_dead_and_a_running_one_is_not() -> None:
    dead = _exited_child_owner()
    assert parse_owner(dead) is not None
    assert leases.owner_is_dead_here(dead)
    assert not leases.owner_is_dead_here(leases.new_owner_id())  # this very process
    assert leases.dead_owners([dead, leases.new_owner_id(), "web-1:4242:beef0123"], me="x") == {dead}


def test_a_sleeping_child_is_alive_until_killed_and_then_dead_even_unreaped() -> None:
    code = ("import sys, time; from worker.pipeline.leases import new_owner_id; print(new_owner_id()); "
            "sys.stdout.flush(); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        held_by = child.stdout.readline().strip()
        assert parse_owner(held_by) is not None and not leases.owner_is_dead_here(held_by)
        child.kill()
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not yet reaped: a zombie
        assert leases.owner_is_dead_here(held_by)
    finally:
        child.kill()
        child.wait()


def test_this_pid_with_another_start_time_is_a_reused_pid() -> None:
    mine = parse_owner(leases.new_owner_id())
    assert mine is not None and mine.start is not None
    reused = format_owner(Owner(mine.host, mine.pid, mine.start - 1, mine.machine, "abc123"))
    assert leases.owner_is_dead_here(reused)


def test_a_dead_pid_on_another_host_or_machine_is_left_to_expire() -> None:
    dead = parse_owner(_exited_child_owner())
    assert dead is not None
    elsewhere = format_owner(Owner("elsewhere", dead.pid, dead.start, dead.machine, dead.tail))
    other_boot = format_owner(Owner(dead.host, dead.pid, dead.start, "ffffffff", dead.tail))
    assert not leases.owner_is_dead_here(elsewhere)
    assert not leases.owner_is_dead_here(other_boot)
