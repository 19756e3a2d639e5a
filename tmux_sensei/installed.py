"""What the installed tmux itself knows, asked once and cached: its command, option and hook
names (for "did you mean") and its default prefix-key table (to tell which keys a user rebound).

tmux is asked on a throw-away server on a private socket with no config (as `kb check` does),
and the answer is cached in the cache dir, keyed by the tmux binary's path, size and mtime:
a new tmux is asked again.
"""

from __future__ import annotations

import os

from tmux_sensei.paths import state_dirs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


def installed_facts(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """{"names": [...], "prefix_keys": {key: command}} of the tmux on PATH, or None."""
    import json

    from tmux_sensei import tmuxcmd

    binary = tmuxcmd.tmux_binary(environ)
    if binary is None:
        return None
    try:
        st = os.stat(binary)
    except OSError:
        return None
    from zlib import crc32  # a stable key: hash() of a str changes from process to process

    key = f"{crc32(f'{binary}|{st.st_size}|{st.st_mtime_ns}'.encode()):08x}"
    path = os.path.join(state_dirs(environ).cache, f"tmux-facts-{key}.json")
    from tmux_sensei.safefile import read_bytes, write_atomic

    try:
        raw, _ = read_bytes(path, 4 << 20)  # a regular file only, never followed, bounded
        facts = valid_facts(json.loads(raw))
        if facts is not None:
            return facts
    except (OSError, ValueError, RecursionError):
        pass  # unreadable or the wrong shape: ask tmux again, and replace it
    from tmux_sensei.tmux_names import ask_tmux

    found = ask_tmux(dict(environ))
    if found is None:
        return None
    facts = {
        "names": sorted(found.commands | found.options | found.hooks),
        "prefix_keys": found.prefix_keys,
    }
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, json.dumps(facts).encode("utf-8"))
    except OSError:
        pass  # no cache: asked again next time
    return facts


def valid_facts(facts: object) -> dict[str, Any] | None:
    """The facts, if `names` is a list of strings and `prefix_keys` a table of strings."""
    if not isinstance(facts, dict):
        return None
    names, keys = facts.get("names"), facts.get("prefix_keys")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        return None
    return {"names": names, "prefix_keys": keys}
