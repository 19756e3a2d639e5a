"""When the machine booted, and whether a tmux server from before that boot left its socket."""

from __future__ import annotations

import os

from tmux_sensei.probes.base import ProbeContext, ago, finding, when
from tmux_sensei.probes.procs import boot_time
from tmux_sensei.probes.socket import socket_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.shapes import Finding

ID = "reboot"


def probe(ctx: ProbeContext) -> Finding:
    boot = boot_time(ctx)
    if boot is None:
        return finding(ID, "unknown", ctx.t("probes.reboot.unknown"))
    uptime = ago(ctx, ctx.now - boot)
    booted = ctx.t("probes.reboot.booted", booted=when(ctx, boot), uptime=uptime)
    # A socket's mtime is its server's start time (tmux never deletes the file): an older
    # socket than the boot is a server that the reboot ended.
    older: list[tuple[str, float]] = []
    directory = socket_dir(ctx)
    try:
        names = os.listdir(directory)
    except OSError:
        names = []
    for name in names:
        try:
            mtime = os.stat(os.path.join(directory, name)).st_mtime
        except OSError:
            continue
        if mtime < boot:
            older.append((name, mtime))
    if older:
        name, mtime = max(older, key=lambda item: item[1])
        return finding(
            ID,
            "warn",
            ctx.t(
                "probes.reboot.ended", socket=name, started=when(ctx, mtime), booted=when(ctx, boot)
            ),
            booted,
            ctx.t("probes.reboot.fix"),
        )
    return finding(ID, "ok", booted)
