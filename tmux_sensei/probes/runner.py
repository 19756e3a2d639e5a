"""Run probes in parallel, each in its own thread, all within one deadline.

A probe that has not answered by the deadline is reported as unknown ("no answer in time"):
nothing waits for it, not even the interpreter's exit, and its commands have their own
timeouts. An exception inside a probe becomes an unknown finding.

Threads are `threading` daemon threads (importing threading costs about a third of a bare
start, paid only on the probe path: `ask --no-diagnose` never imports it), each with an Event
the runner waits on until the deadline.
"""

from __future__ import annotations

import threading
import time

from tmux_sensei.probes.base import ProbeContext, finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from tmux_sensei.shapes import Finding

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


def run(names: Sequence[str], ctx: ProbeContext, deadline: float = DEADLINE) -> list[Finding]:
    """Run the probes; at the deadline, or when interrupted (Ctrl-C, SIGTERM), the programs
    the late probes started are ended and they start no more: none is left running."""
    from tmux_sensei import command

    wanted = [n for n in PROBES if n in names]
    results: dict[str, Finding] = {}
    done: dict[str, threading.Event] = {}
    threads: dict[str, int] = {}
    over = [False]

    def work(name: str, event: threading.Event) -> None:
        threads[name] = threading.get_ident()  # before looking at `over`: see the finally below
        try:
            if over[0]:
                return
            module = __import__(f"tmux_sensei.probes.{name}", fromlist=["probe"])
            found = module.probe(ctx)
        except Exception as exc:  # a broken probe is unknown, never a crash of the answer
            found = finding(name, "unknown", ctx.t("probes.failed"), f"{type(exc).__name__}: {exc}")
        results[name] = found  # one key per thread: a dict item store is atomic
        event.set()

    restore = _terminate_on_sigterm()
    try:
        for name in wanted:
            event = done[name] = threading.Event()
            threading.Thread(target=work, args=(name, event), daemon=True).start()
        end = time.monotonic() + deadline
        for name in wanted:
            done[name].wait(timeout=max(0.0, end - time.monotonic()))
    finally:
        over[0] = True
        late = {threads[n] for n in wanted if n not in results and n in threads}
        if late:
            command.abandon(late)
        restore()
    return [results.get(n) or finding(n, "unknown", ctx.t("probes.timeout"), "") for n in wanted]


def _terminate_on_sigterm() -> Callable[[], None]:
    """While probes run, SIGTERM raises SystemExit(143) in the main thread (so that the
    finally above ends their programs) instead of killing us at once. A handler set by
    someone else is left alone. Returns the function that puts the old handler back."""
    import _signal  # type: ignore[import-not-found]  # `signal` would import enum

    sigterm = 15
    try:
        if _signal.getsignal(sigterm) != _signal.SIG_DFL:
            return lambda: None
        _signal.signal(sigterm, _raise_exit)
    except (ValueError, OSError):  # not the main thread
        return lambda: None
    return lambda: _signal.signal(sigterm, _signal.SIG_DFL)


def _raise_exit(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
