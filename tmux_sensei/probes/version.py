"""The tmux on PATH and its version (parsing survives "3.3a", "next-3.6", "openbsd-7.4")."""

from __future__ import annotations

from tmux_sensei.command import which
from tmux_sensei.probes.base import ProbeContext, finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.shapes import Finding

ID = "version"


def parse_version(text: str) -> tuple[str, tuple[int, ...]]:
    """'tmux 3.3a' -> ('3.3a', (3, 3)); 'tmux next-3.6' -> ('next-3.6', (3, 6));
    'tmux openbsd-7.4' -> ('openbsd-7.4', ()) since OpenBSD's numbers are the OS release."""
    from tmux_sensei.textutil import sanitize

    # the program's words are not ours: no escape may reach a note, nor a digit from one
    word = sanitize(text, keep_newlines=False).strip().removeprefix("tmux").strip()[:32]
    numbers: tuple[int, ...] = ()
    if not word.startswith("openbsd"):
        digits = word.rsplit("-", 1)[-1]
        parts = []
        for piece in digits.split("."):
            num = "".join(c for c in piece if c.isdigit()) if piece[:1].isdigit() else ""
            if not num:
                break
            parts.append(int(num))
        numbers = tuple(parts)
    return word, numbers


def probe(ctx: ProbeContext) -> Finding:
    result = ctx.run(["tmux", "-V"])
    if result.code is None:
        if result.err == "not found":
            return finding(
                ID, "warn", ctx.t("probes.version.missing"), "", ctx.t("probes.version.install")
            )
        return finding(ID, "unknown", ctx.t("probes.version.no_answer", reason=result.err))
    word, numbers = parse_version(result.out)
    where = which("tmux", path=ctx.environ.get("PATH")) or "tmux"
    if numbers and numbers < (3, 2):
        return finding(ID, "warn", ctx.t("probes.version.old", version=word, path=where))
    return finding(ID, "ok", ctx.t("probes.version.found", version=word or "?", path=where))
