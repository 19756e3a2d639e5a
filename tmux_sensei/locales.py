"""The UI's words, read from locales/<lang>.toml without opening the search index (which carries
a copy for the answer path), and the one-line messages written with them."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from tmux_sensei.env import Env


def read_toml(path: str) -> dict[str, Any]:
    import tomllib

    from tmux_sensei.safefile import read_bytes

    try:
        raw, _ = read_bytes(path, 4 << 20)  # never a FIFO: a regular file, read with a bound
        return tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """{"errors": {"empty": "..."}} -> {"errors.empty": "..."}"""
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = str(value).strip("\n") if isinstance(value, str) else str(value)
    return out


def load_strings(locales: str, lang: str) -> dict[str, str]:
    strings = flatten(read_toml(os.path.join(locales, "en.toml")))
    if lang != "en":  # a key missing in a translation falls back to English
        strings.update(flatten(read_toml(os.path.join(locales, f"{lang}.toml"))))
    return strings


def strings_for(lang: str) -> dict[str, str]:
    from tmux_sensei.paths import data_dir

    return load_strings(data_dir("locales"), lang)


def say(env: Env, lang: str, key: str, **values: str) -> None:
    """One localized line on stderr."""
    text = strings_for(lang).get(key, key)
    try:
        text = text.format(**values)
    except (KeyError, IndexError, ValueError):
        pass
    env.stderr.write(text + "\n")


def safe_value(value: str) -> str:
    """An argument echoed in a message: one line, no controls, bounded."""
    from tmux_sensei.textutil import sanitize

    return sanitize(value, keep_newlines=False)[:80]
