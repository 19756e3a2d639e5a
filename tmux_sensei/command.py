"""Running outside programs from the probes and kb check: a fixed argv, no shell, always a
timeout. (The pager and the lessons' pty client start their programs themselves, with the same
rules.)

Programs start with os.posix_spawn and their output is read with select, instead of through
the subprocess module: importing subprocess (with the signal, enum, re and locale modules it
pulls in) costs about one bare interpreter start, and the live checks of an answer have a
budget of two. Where posix_spawn is missing, subprocess does the same job.
"""

from __future__ import annotations

import _thread
import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

_SIGKILL = 9  # signal.SIGKILL, without importing signal (and enum with it)
_MAX_OUTPUT = 4 * 1024 * 1024  # a runaway program must not fill our memory

# The children running now, by the thread that started each, and the threads whose caller
# stopped waiting (the probe runner at its deadline, on Ctrl-C or SIGTERM): their children are
# ended, and they start no more, so that no program outlives us.
_lock = _thread.allocate_lock()
_live: dict[int, int] = {}  # pid -> thread ident
_abandoned: set[int] = set()


class Result:
    __slots__ = ("argv", "code", "err", "out")

    def __init__(self, argv: list[str], code: int | None, out: str, err: str) -> None:
        self.argv = argv
        self.code = code  # None: could not run, or did not finish in time (err says which)
        self.out = out
        self.err = err

    @property
    def ok(self) -> bool:
        return self.code == 0


def which(name: str, path: str | None = None) -> str | None:
    """The executable `name` on PATH, like shutil.which, whose import (it pulls in fnmatch, re,
    bz2 and lzma) costs about as much as a bare interpreter start (0.9x, measured)."""
    if os.sep in name:
        return name if os.access(name, os.X_OK) and not os.path.isdir(name) else None
    search = path if path is not None else os.environ.get("PATH", os.defpath)
    for directory in search.split(os.pathsep):
        candidate = os.path.join(directory or ".", name)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


def run(
    argv: Sequence[str], *, timeout: float = 1.0, environ: Mapping[str, str] | None = None
) -> Result:
    """Run a program and capture its output as text (undecodable bytes replaced)."""
    cmd = [str(a) for a in argv]
    env = dict(environ if environ is not None else os.environ)
    binary = which(cmd[0], path=env.get("PATH"))
    if binary is None:
        return Result(cmd, None, "", "not found")
    if not hasattr(os, "posix_spawn"):
        return _run_subprocess(cmd, binary, timeout, env)
    try:
        return _run_spawn(cmd, binary, timeout, env)
    except OSError as exc:
        return Result(cmd, None, "", exc.strerror or type(exc).__name__)


def _run_spawn(cmd: list[str], binary: str, timeout: float, env: dict[str, str]) -> Result:
    import select

    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, out_w, 1),
        (os.POSIX_SPAWN_DUP2, err_w, 2),
        (os.POSIX_SPAWN_CLOSE, out_r),
        (os.POSIX_SPAWN_CLOSE, err_r),
    ]
    me = _thread.get_ident()
    try:
        with _lock:
            if me in _abandoned:
                os.close(out_r)
                os.close(err_r)
                return Result(cmd, None, "", "abandoned")
            pid = os.posix_spawn(binary, cmd, env, file_actions=actions, setsid=True)
            _live[pid] = me
    finally:
        os.close(out_w)
        os.close(err_w)
    reaped = False
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    size = 0
    open_fds = [out_r, err_r]
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        while open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select(open_fds, [], [], left)
            for fd in ready:
                data = os.read(fd, 65536)
                if not data:
                    open_fds.remove(fd)
                    continue
                size += len(data)
                if size <= _MAX_OUTPUT:
                    chunks[fd].append(data)
        code: int | None = None
        if not timed_out:
            code = _wait(pid, deadline)
            timed_out = code is None
        reaped = not timed_out
    finally:
        with _lock:
            mine = _live.pop(pid, None) is not None
        if not reaped and mine:
            end_process(pid)  # out of time, or interrupted: it and everything it started
        os.close(out_r)
        os.close(err_r)
    out = b"".join(chunks[out_r]).decode("utf-8", "replace")
    err = b"".join(chunks[err_r]).decode("utf-8", "replace")
    if timed_out:
        return Result(cmd, None, out, "timeout")
    return Result(cmd, code, out, err)


def _wait(pid: int, deadline: float) -> int | None:
    """The exit status, or None if the program is still running at the deadline."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.001)


def abandon(threads: set[int]) -> None:
    """The callers in these threads stopped waiting: end their children, start no more."""
    with _lock:
        _abandoned.update(threads)
        pids = [pid for pid, owner in _live.items() if owner in threads]
        for pid in pids:
            del _live[pid]
    for pid in pids:
        end_process(pid)


def end_process(pid: int, signal: int = _SIGKILL, *, group: bool = True) -> None:
    """Signal a child we started (and its process group, when it leads one), then reap it."""
    for target in (-pid, pid) if group else (pid,):
        try:
            os.kill(target, signal)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass


def _run_subprocess(cmd: list[str], binary: str, timeout: float, env: dict[str, str]) -> Result:
    import subprocess

    try:
        p = subprocess.run(
            [binary, *cmd[1:]],
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        return Result(cmd, None, "", "timeout")
    except OSError as exc:
        return Result(cmd, None, "", exc.strerror or type(exc).__name__)
    return Result(
        cmd, p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    )
