"""Where tmux-sensei runs: inside tmux, over SSH, in WSL or a container, and the uptime."""

from __future__ import annotations

import os

from tmux_sensei.probes.base import ProbeContext, ago, finding
from tmux_sensei.probes.procs import boot_time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.shapes import Finding

ID = "context"


def probe(ctx: ProbeContext) -> Finding:
    facts = []
    env = ctx.environ
    if env.get("TMUX"):
        socket = env["TMUX"].split(",")[0]
        facts.append(ctx.t("probes.context.in_tmux", socket=socket, pane=env.get("TMUX_PANE", "?")))
    else:
        facts.append(ctx.t("probes.context.not_in_tmux"))
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        facts.append(ctx.t("probes.context.ssh"))
    release = (ctx.read(ctx.path("/proc/sys/kernel/osrelease")) or "").lower()
    if "microsoft" in release or env.get("WSL_DISTRO_NAME"):
        facts.append(ctx.t("probes.context.wsl"))
    elif os.path.exists(ctx.path("/.dockerenv")) or os.path.exists(ctx.path("/run/.containerenv")):
        facts.append(ctx.t("probes.context.container"))
    boot = boot_time(ctx)
    if boot:
        facts.append(ctx.t("probes.context.uptime", uptime=ago(ctx, ctx.now - boot)))
    return finding(ID, "ok", facts[0], "\n".join(facts[1:]))
