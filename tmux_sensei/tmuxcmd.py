"""The one door to the tmux binary: a fixed argv, no shell, always a timeout."""

from __future__ import annotations

import os
import shutil
import subprocess

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


class TmuxResult:
    __slots__ = ("argv", "code", "err", "out")

    def __init__(self, argv: list[str], code: int | None, out: str, err: str) -> None:
        self.argv = argv
        self.code = code  # None: tmux could not be run or did not answer in time
        self.out = out
        self.err = err

    @property
    def ok(self) -> bool:
        return self.code == 0


def tmux_binary(environ: Mapping[str, str] | None = None) -> str | None:
    path = (environ or os.environ).get("PATH")
    return shutil.which("tmux", path=path)


def run(
    argv: Sequence[str],
    *,
    socket: str | None = None,
    timeout: float = 1.5,
    environ: Mapping[str, str] | None = None,
) -> TmuxResult:
    """Run one tmux command. Without `socket`, tmux follows $TMUX: the user's own server."""
    binary = tmux_binary(environ)
    cmd = [binary or "tmux", *(["-L", socket] if socket else []), *map(str, argv)]
    if binary is None:
        return TmuxResult(cmd, None, "", "tmux not found")
    try:
        p = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            env=dict(environ) if environ is not None else None,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return TmuxResult(cmd, None, "", type(exc).__name__)  # data, not a crash
    return TmuxResult(cmd, p.returncode, p.stdout, p.stderr)
