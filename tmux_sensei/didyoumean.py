""" "Did you mean `remain-on-exit`?": misspelt tmux commands and options in a question, matched
against the real names of the tmux installed here.

The names come from tmux itself (a throw-away server on a private socket, as `kb check` asks)
and are cached in the cache dir, keyed by the tmux binary's path, size and mtime, so tmux is
asked once per installed version, and only when a question holds a name-like word that
neither the knowledge base nor tmux knows.
"""

from __future__ import annotations

import os

from tmux_sensei.paths import state_dirs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from tmux_sensei.index import Index


def candidates(text: str, index: Index) -> list[str]:
    """Words that look like tmux names (lower-case, hyphenated) and that no page knows."""
    words = []
    for raw in text.replace("`", " ").split():
        word = raw.strip(".,;:!?()[]{}\"'").lower()
        if (
            "-" in word
            and len(word) >= 5
            and word.replace("-", "").isalpha()
            and word.isascii()
            and not word.startswith("-")
            and word not in index.postings
        ):
            words.append(word)
    return words


def tmux_names(environ: Mapping[str, str]) -> list[str] | None:
    """Every command, alias, option and hook of the installed tmux (cached), or None."""
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
    import json  # here, not at the top: most questions never get this far

    path = os.path.join(state_dirs(environ).cache, f"tmux-names-{key}.json")
    try:
        with open(path, encoding="utf-8") as f:
            names = json.load(f)
        if isinstance(names, list):
            return [str(n) for n in names]
    except (OSError, ValueError):
        pass
    from tmux_sensei.kbcheck import ask_tmux

    found = ask_tmux(dict(environ))
    if found is None:
        return None
    names = sorted(found.commands | found.options | found.hooks)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(names, f)
    except OSError:
        pass  # no cache: asked again next time
    return names


def corrections(text: str, index: Index, environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """[(typed, meant)] for the misspelt tmux names of a question."""
    words = candidates(text, index)
    if not words:
        return []
    names = tmux_names(environ)
    if not names:
        return []
    from rapidfuzz import fuzz, process

    known = set(names)
    fixes = []
    for word in words:
        if word in known:
            continue
        found = process.extractOne(word, names, scorer=fuzz.ratio, score_cutoff=80)
        if found is not None:
            fixes.append((word, str(found[0])))
    return fixes
