"""Run probes in parallel, each in its own thread, all within one deadline.

A probe that has not answered by the deadline is reported as unknown ("no answer in time"):
nothing waits for it, not even the interpreter's exit, and its commands have their own
timeouts. An exception inside a probe becomes an unknown finding.

Threads come from the low-level `_thread` module: `threading` costs a third of a bare
interpreter start to import, and a start plus a lock per probe is all this needs.
"""

from __future__ import annotations

import _thread
import time

from tmux_sensei.probes.base import ProbeContext, finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# every probe, in the order `doctor` lists them
PROBES = (
    "version",
    "server",
    "socket",
    "options",
    "config",
    "tmout",
    "logind",
    "oom",
    "reboot",
    "context",
)
DEADLINE = 0.3  # seconds for the whole set


def run(
    names: Sequence[str], ctx: ProbeContext, deadline: float = DEADLINE
) -> list[dict[str, str]]:
    wanted = [n for n in PROBES if n in names]
    results: dict[str, dict[str, str]] = {}
    done: dict[str, _thread.LockType] = {}

    def work(name: str, lock: _thread.LockType) -> None:
        try:
            module = __import__(f"tmux_sensei.probes.{name}", fromlist=["probe"])
            found = module.probe(ctx)
        except Exception as exc:  # a broken probe is unknown, never a crash of the answer
            found = finding(name, "unknown", ctx.t("probes.failed"), f"{type(exc).__name__}: {exc}")
        results[name] = found  # one key per thread: a dict item store is atomic
        lock.release()

    for name in wanted:
        lock = _thread.allocate_lock()
        lock.acquire()
        done[name] = lock
        _thread.start_new_thread(work, (name, lock))
    end = time.monotonic() + deadline
    for name in wanted:
        done[name].acquire(timeout=max(0.0, end - time.monotonic()))
    return [results.get(n) or finding(n, "unknown", ctx.t("probes.timeout"), "") for n in wanted]
