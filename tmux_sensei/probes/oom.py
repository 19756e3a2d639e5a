"""Kernel OOM kills since boot, from the kernel's own log."""

from __future__ import annotations

import os

from tmux_sensei.probes.base import ProbeContext, finding, when
from tmux_sensei.probes.procs import boot_time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.shapes import Finding

ID = "oom"
SHELLS = {"bash", "zsh", "fish", "sh", "dash", "ksh", "tcsh"}


def _kmsg(ctx: ProbeContext) -> tuple[list[str], str]:
    """Records of /dev/kmsg (what dmesg reads), read without blocking."""
    try:
        fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return [], f"/dev/kmsg: {exc.strerror}"
    lines: list[str] = []
    try:
        while len(lines) < 100_000:
            try:
                record = os.read(fd, 8192)
            except BlockingIOError:
                break
            except OSError:  # EPIPE: a record was overwritten while reading; go on
                continue
            if not record:
                break
            head, _, message = record.decode("utf-8", "replace").partition(";")
            fields = head.split(",")
            stamp = int(fields[2]) / 1e6 if len(fields) > 2 and fields[2].isdigit() else 0.0
            lines.append(f"{stamp}\t{message.splitlines()[0] if message else ''}")
    finally:
        os.close(fd)
    return lines, ""


def kernel_log(ctx: ProbeContext) -> tuple[list[str], str, str]:
    """(lines, source, reason if none could be read). Lines are 'seconds-since-boot\\ttext'
    when the source gives that, else plain text."""
    if ctx.root in ("", "/"):
        lines, reason = _kmsg(ctx)
        if lines:
            return lines, "/dev/kmsg", ""
        for argv in (["journalctl", "-k", "-b", "--no-pager", "-q", "-o", "short-iso"], ["dmesg"]):
            result = ctx.run(argv)
            if result.ok and result.out.strip():
                return result.out.splitlines(), argv[0], ""
            reason += f"; {argv[0]}: {result.err.strip()[:80] or result.code}"
    path = ctx.path("/var/log/kern.log")
    text = ctx.read(path)
    if text is not None:
        return text.splitlines(), path, ""
    return [], "", (reason if ctx.root in ("", "/") else f"{path}: not readable").strip("; ")


def oom_kills(lines: list[str]) -> list[tuple[str, str, str]]:
    """(pid, name, line) for each 'Killed process PID (NAME)' line."""
    kills = []
    for line in lines:
        at = line.find("Killed process ")
        if at < 0:
            continue
        rest = line[at + len("Killed process ") :]
        pid, _, tail = rest.partition(" (")
        name = tail.split(")")[0]
        if pid.isdigit():
            kills.append((pid, name, line))
    return kills


def probe(ctx: ProbeContext) -> Finding:
    lines, source, reason = kernel_log(ctx)
    if not source:
        return finding(ID, "unknown", ctx.t("probes.oom.unreadable"), reason)
    kills = oom_kills(lines)
    if not kills:
        return finding(ID, "ok", ctx.t("probes.oom.none", source=source))
    boot = boot_time(ctx) or 0.0
    detail_lines = []
    for pid, name, line in kills[-5:]:
        stamp, tab, _ = line.partition("\t")
        at = when(ctx, boot + float(stamp)) if tab and boot else ""
        detail_lines.append(f"{at} {name} (PID {pid})".strip())
    ours = [k for k in kills if k[1].startswith("tmux") or k[1] in SHELLS]
    if ours:
        pid, name, _ = ours[-1]
        return finding(
            ID,
            "problem",
            ctx.t("probes.oom.tmux", name=name, pid=pid, count=len(kills)),
            "\n".join(detail_lines),
            ctx.t("probes.oom.fix"),
        )
    return finding(
        ID,
        "warn",
        ctx.t("probes.oom.other", count=len(kills), name=kills[-1][1]),
        "\n".join(detail_lines),
        ctx.t("probes.oom.fix"),
    )
