"""This user's running tmux servers: PID, start time, binary, and the sockets they listen on.

On Linux this reads /proc directly: importing psutil costs more than twice a bare interpreter
start, more than the whole budget of the probes of one answer, and /proc has everything needed
(a server's comm name is "tmux: server"). Elsewhere psutil is asked.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.probes.base import ProbeContext


class Server:
    __slots__ = ("exe", "exe_deleted", "pid", "sockets", "started")

    def __init__(
        self, pid: int, started: float, exe: str, exe_deleted: bool, sockets: list[str]
    ) -> None:
        self.pid = pid
        self.started = started  # epoch seconds
        self.exe = exe
        self.exe_deleted = exe_deleted  # the binary was replaced (package upgrade) while running
        self.sockets = sockets  # paths this server listens on (the files may be gone)


def boot_time(ctx: ProbeContext) -> float | None:
    return ctx.memo("boot_time", lambda: _boot_time(ctx))  # type: ignore[no-any-return]


def _boot_time(ctx: ProbeContext) -> float | None:
    text = ctx.read(os.path.join(ctx.proc, "stat"))
    for line in (text or "").splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    if not sys.platform.startswith("linux"):
        try:
            import psutil

            return float(psutil.boot_time())
        except Exception:
            return None
    return None


def tmux_servers(ctx: ProbeContext) -> list[Server] | None:
    """None when the process table cannot be read at all."""

    def scan() -> list[Server] | None:
        if os.path.isdir(os.path.join(ctx.proc, "self")):
            return _from_proc(ctx)
        return _from_psutil(ctx)

    return ctx.memo("tmux_servers", scan)  # type: ignore[no-any-return]


def _from_proc(ctx: ProbeContext) -> list[Server]:
    proc = ctx.proc
    btime = boot_time(ctx) or 0.0
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    servers: list[Server] = []
    listening: dict[str, str] | None = None
    try:
        pids = [p for p in os.listdir(proc) if p.isdigit()]
    except OSError:
        return servers
    for pid in pids:
        base = os.path.join(proc, pid)
        try:
            if os.stat(base).st_uid != ctx.uid:
                continue
            with open(os.path.join(base, "comm"), encoding="utf-8", errors="replace") as f:
                if f.read().strip() != "tmux: server":
                    continue
            with open(os.path.join(base, "stat"), encoding="utf-8", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if fields[0] in ("Z", "X"):  # a zombie (or dead) server serves nobody: not running
                continue
            started = btime + int(fields[19]) / ticks  # field 22: start time in clock ticks
        except (OSError, IndexError, ValueError):
            continue
        try:
            exe = os.readlink(os.path.join(base, "exe"))
        except OSError:
            exe = ""
        if listening is None:
            listening = _unix_listeners(proc)
        servers.append(
            Server(
                int(pid),
                started,
                exe.removesuffix(" (deleted)"),
                exe.endswith(" (deleted)"),
                _sockets_of(base, listening),
            )
        )
    return sorted(servers, key=lambda s: s.started)


def _unix_listeners(proc: str) -> dict[str, str]:
    """inode -> path of every listening unix socket with a path."""
    out: dict[str, str] = {}
    try:
        with open(os.path.join(proc, "net", "unix"), encoding="utf-8", errors="replace") as f:
            next(f, None)
            for line in f:
                parts = line.split(None, 7)
                # Num RefCount Protocol Flags Type St Inode Path; flag 00010000 = listening
                if len(parts) == 8 and int(parts[3], 16) & 0x10000:
                    out[parts[6]] = parts[7].strip()
    except (OSError, ValueError):
        pass
    return out


def _sockets_of(base: str, listening: dict[str, str]) -> list[str]:
    paths: list[str] = []
    try:
        fds = os.listdir(os.path.join(base, "fd"))
    except OSError:
        return paths
    for fd in fds:
        try:
            target = os.readlink(os.path.join(base, "fd", fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            path = listening.get(target[8:-1])
            if path and path not in paths:
                paths.append(path)
    return paths


def _from_psutil(ctx: ProbeContext) -> list[Server] | None:
    try:
        import psutil
    except ImportError:
        return None
    servers: list[Server] = []
    try:
        for p in psutil.process_iter(["name", "uids", "create_time", "exe", "ppid"]):
            info = p.info
            name = info.get("name") or ""
            uids = info.get("uids")
            if not name.startswith("tmux") or (uids is not None and uids.real != ctx.uid):
                continue
            # BSD and macOS show "tmux: server (SOCKET)"; otherwise a detached tmux whose
            # parent is init is the server
            if "server" not in name and info.get("ppid") != 1:
                continue
            sockets = []
            try:
                sockets = [c.laddr for c in p.net_connections("unix") if c.laddr]
            except Exception:
                pass
            servers.append(
                Server(
                    p.pid,
                    float(info.get("create_time") or 0),
                    info.get("exe") or "",
                    False,
                    sockets,
                )
            )
    except Exception:
        return None
    return servers
