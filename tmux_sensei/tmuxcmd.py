"""The one door to the tmux binary: a fixed argv, no shell, always a timeout."""

from __future__ import annotations

from tmux_sensei import command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

TmuxResult = command.Result


def tmux_binary(environ: Mapping[str, str] | None = None) -> str | None:
    import os

    return command.which("tmux", path=(environ or os.environ).get("PATH"))


def run(
    argv: Sequence[str],
    *,
    socket: str | None = None,
    socket_args: Sequence[str] = (),
    timeout: float = 1.5,
    environ: Mapping[str, str] | None = None,
) -> command.Result:
    """Run one tmux command. Without a socket, tmux follows $TMUX: the user's own server.

    `socket` is a -L name; `socket_args` any global flags that pick a server (-L/-S).
    """
    chosen = ["-L", socket] if socket else list(socket_args)
    return command.run(["tmux", *chosen, *map(str, argv)], timeout=timeout, environ=environ)
