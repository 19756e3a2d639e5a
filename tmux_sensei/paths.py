"""Where tmux-sensei keeps its state, and where its packaged data lives.

`TMUX_SENSEI_HOME` moves all state (config/, data/, cache/) under one directory. Otherwise the
platform's directories are used. On Linux and the BSDs we read the XDG variables directly, exactly
as platformdirs does there: importing platformdirs costs about 1.8x the bare interpreter's start,
which would almost double a warm `ask`. Elsewhere (macOS, Windows) platformdirs decides.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

APP = "tmux-sensei"
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class StateDirs:
    __slots__ = ("cache", "config", "data")

    def __init__(self, config: str, data: str, cache: str) -> None:
        self.config = config
        self.data = data
        self.cache = cache


def state_dirs(environ: Mapping[str, str]) -> StateDirs:
    home = environ.get("TMUX_SENSEI_HOME")
    if home:
        base = os.path.abspath(os.path.expanduser(home))
        return StateDirs(*(os.path.join(base, d) for d in ("config", "data", "cache")))
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        user_home = environ.get("HOME") or os.path.expanduser("~")

        def xdg(var: str, default: str) -> str:
            value = environ.get(var, "").strip()
            return os.path.join(value if value else os.path.join(user_home, default), APP)

        return StateDirs(
            xdg("XDG_CONFIG_HOME", ".config"),
            xdg("XDG_DATA_HOME", ".local/share"),
            xdg("XDG_CACHE_HOME", ".cache"),
        )
    from platformdirs import PlatformDirs

    d = PlatformDirs(APP, appauthor=False)
    return StateDirs(d.user_config_dir, d.user_data_dir, d.user_cache_dir)


def data_dir(name: str) -> str:
    """A packaged data directory (knowledge, locales): inside the wheel, or the source checkout."""
    inside = os.path.join(PACKAGE_DIR, name)
    if os.path.isdir(inside):
        return inside
    return os.path.join(os.path.dirname(PACKAGE_DIR), name)
