"""The running server's options that decide when sessions and the server end."""

from __future__ import annotations

from tmux_sensei.probes.base import ProbeContext, finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.shapes import Finding

ID = "options"
# option -> its 3.3a default; flags print as 1/0 through a format, choices as words
LIFETIME = {
    "exit-empty": "on",
    "exit-unattached": "off",
    "destroy-unattached": "off",
    "detach-on-destroy": "on",
    "remain-on-exit": "off",
}
# Non-default values that end sessions or the server sooner than a user expects.
SURPRISING = {("exit-unattached", "on"), ("destroy-unattached", "on")}


def _word(value: str) -> str:
    return {"1": "on", "0": "off"}.get(value, value)


def read_options(ctx: ProbeContext) -> tuple[dict[str, str] | None, str]:
    """The server's lifetime options, or None and the reason (no server, no tmux, timeout)."""
    fmt = "|".join(f"#{{{name}}}" for name in LIFETIME)
    result = ctx.tmux(["display-message", "-p", fmt])
    if not result.ok:
        reason = (result.err.strip().splitlines() or [result.err or "?"])[-1]
        if "no server running" in reason or "error connecting" in reason:
            return None, ""  # nothing to ask: not a failure of the check
        return None, reason
    values = result.out.strip().split("|")
    if len(values) != len(LIFETIME):
        return None, result.out.strip()
    return {name: _word(v) for name, v in zip(LIFETIME, values, strict=True)}, ""


def asked_socket(ctx: ProbeContext) -> str:
    """The socket the probe's tmux commands talk to: -S or -L when given, $TMUX's inside tmux,
    else the default one."""
    args = ctx.tmux_args
    if "-S" in args[:-1]:
        return args[args.index("-S") + 1]
    inside = ctx.environ.get("TMUX", "").split(",")[0]
    if inside and "-L" not in args[:-1]:
        return inside
    name = args[args.index("-L") + 1] if "-L" in args[:-1] else "default"
    tmpdir = ctx.environ.get("TMUX_TMPDIR") or "/tmp"
    return f"{tmpdir.rstrip('/') or '/'}/tmux-{ctx.uid}/{name}"


def probe(ctx: ProbeContext) -> Finding:
    values, reason = read_options(ctx)
    if values is None:
        if not reason:  # say which socket: servers started with -L or -S are not asked
            return finding(
                ID, "unknown", ctx.t("probes.options.no_running_server", socket=asked_socket(ctx))
            )
        return finding(ID, "unknown", ctx.t("probes.options.no_server", reason=reason))
    changed = {k: v for k, v in values.items() if v != LIFETIME[k]}
    listing = ", ".join(f"{k} {v}" for k, v in values.items())
    surprising = [(k, v) for k, v in changed.items() if (k, v) in SURPRISING]
    if surprising:
        name, _value = surprising[0]
        return finding(
            ID,
            "warn",
            ctx.t(f"probes.options.{name}"),
            listing,
            ctx.t(
                "probes.options.fix", name=name, flag="-s" if name == "exit-unattached" else "-g"
            ),
        )
    if changed:
        return finding(
            ID,
            "ok",
            ctx.t(
                "probes.options.changed", options=", ".join(f"{k} {v}" for k, v in changed.items())
            ),
            listing,
        )
    return finding(ID, "ok", ctx.t("probes.options.defaults"), listing)
