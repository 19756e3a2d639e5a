"""Run probes in parallel, each in its own thread, all within one deadline.

A probe that has not answered by the deadline is reported as unknown ("no answer in time"):
its thread is a daemon and its commands have their own timeouts, so nothing waits for it,
not even the interpreter's exit. An exception inside a probe becomes an unknown finding.
"""

from __future__ import annotations

import threading
import time
from importlib import import_module

from tmux_sensei.probes.base import ProbeContext, finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# probe name -> module; the order is the order of `doctor`
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
    lock = threading.Lock()

    def work(name: str) -> None:
        try:
            module = import_module(f"tmux_sensei.probes.{name}")
            found = module.probe(ctx)
        except Exception as exc:  # a broken probe is unknown, never a crash of the answer
            found = finding(name, "unknown", ctx.t("probes.failed"), f"{type(exc).__name__}: {exc}")
        with lock:
            results[name] = found

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in wanted]
    for thread in threads:
        thread.start()
    end = time.monotonic() + deadline
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    with lock:
        done = dict(results)
    return [done.get(n) or finding(n, "unknown", ctx.t("probes.timeout"), "") for n in wanted]
