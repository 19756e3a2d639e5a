"""The socket directory and whether every live server can still be reached through its socket."""

from __future__ import annotations

import os
import stat

from tmux_sensei.probes.base import ProbeContext, finding
from tmux_sensei.probes.procs import tmux_servers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.shapes import Finding

ID = "socket"


def socket_dir(ctx: ProbeContext) -> str:
    """${TMUX_TMPDIR:-/tmp}/tmux-UID (tmux falls back to /tmp when TMUX_TMPDIR is no directory)."""
    base = ctx.environ.get("TMUX_TMPDIR") or "/tmp"
    if not os.path.isdir(base):
        base = "/tmp"
    return os.path.join(base, f"tmux-{ctx.uid}")


def probe(ctx: ProbeContext) -> Finding:
    directory = socket_dir(ctx)
    servers = tmux_servers(ctx) or []
    try:
        st = os.stat(directory)
    except FileNotFoundError:
        return finding(ID, "ok", ctx.t("probes.socket.no_dir", dir=directory))
    except OSError as exc:
        return finding(
            ID, "unknown", ctx.t("probes.socket.unreadable", dir=directory, reason=exc.strerror)
        )
    if st.st_uid != ctx.uid or st.st_mode & 0o077:
        return finding(
            ID,
            "problem",
            ctx.t("probes.socket.unsafe", dir=directory, mode=oct(stat.S_IMODE(st.st_mode))),
            "",
            ctx.t("probes.socket.unsafe_fix", dir=directory),
        )
    lost = [(s, path) for s in servers for path in s.sockets if not os.path.exists(path)]
    if lost:
        server, path = lost[0]
        return finding(
            ID,
            "problem",
            ctx.t("probes.socket.lost", pid=server.pid, path=path),
            ctx.t("probes.socket.lost_detail"),
            ctx.t("probes.socket.lost_fix", pid=server.pid),
        )
    live = {path for s in servers for path in s.sockets}
    try:
        files = sorted(os.listdir(directory))
    except OSError:
        files = []
    stale = [name for name in files if os.path.join(directory, name) not in live]
    shown = ", ".join(stale[:5]) + (f" (+{len(stale) - 5})" if len(stale) > 5 else "")
    detail = ctx.t("probes.socket.stale", names=shown) if stale else ""
    return finding(ID, "ok", ctx.t("probes.socket.fine", dir=directory, count=len(live)), detail)
