"""Your running tmux servers: how many, since when, and whether an upgrade replaced their binary."""

from __future__ import annotations

from tmux_sensei.probes.base import ProbeContext, ago, finding, when
from tmux_sensei.probes.procs import boot_time, tmux_servers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.shapes import Finding

ID = "server"


def probe(ctx: ProbeContext) -> Finding:
    servers = tmux_servers(ctx)
    if servers is None:
        return finding(ID, "unknown", ctx.t("probes.server.unreadable"))
    if not servers:
        return finding(ID, "ok", ctx.t("probes.server.none"), ctx.t("probes.server.none_detail"))
    boot = boot_time(ctx)
    lines = []
    for s in servers:
        since_boot = (
            ctx.t("probes.server.after_boot", delta=ago(ctx, s.started - boot)) if boot else ""
        )
        lines.append(
            ctx.t(
                "probes.server.line",
                pid=s.pid,
                socket=", ".join(s.sockets) or "?",
                started=when(ctx, s.started),
                after_boot=since_boot,
            )
        )
    upgraded = [s for s in servers if s.exe_deleted]
    oldest = servers[0]
    summary = ctx.t(
        "probes.server.running",
        count=len(servers),
        started=when(ctx, oldest.started),
        age=ago(ctx, ctx.now - oldest.started),
    )
    if upgraded:
        s = upgraded[0]
        return finding(
            ID,
            "warn",
            ctx.t("probes.server.upgraded", pid=s.pid, exe=s.exe),
            "\n".join(lines),
            ctx.t("probes.server.upgraded_fix", pid=s.pid),
        )
    return finding(ID, "ok", summary, "\n".join(lines))
