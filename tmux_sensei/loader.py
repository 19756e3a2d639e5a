"""Open a language's search index: from the cache when it is fresh, else build and cache it."""

from __future__ import annotations

import os

from tmux_sensei.index import (
    Index,
    build_data,
    cache_path,
    content_hash,
    read_cache,
    source_files,
    stat_key,
    write_cache,
)
from tmux_sensei.lang import SUPPORTED
from tmux_sensei.locales import load_strings, read_toml
from tmux_sensei.paths import data_dir, state_dirs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


# The code that shapes the index is part of its key too, so an edited tokenizer never meets a
# cache built by the old one (a released version changes the key anyway).
CODE_FILES = [
    os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    for name in ("index.py", "tokens.py")
]


def knowledge_dir(environ: Mapping[str, str]) -> str:
    """The knowledge base in use; TMUX_SENSEI_KB points at another tree (tests, benchmarks)."""
    return environ.get("TMUX_SENSEI_KB") or data_dir("knowledge")


def open_index(lang: str, environ: Mapping[str, str]) -> Index:
    kb = knowledge_dir(environ)
    locales = data_dir("locales")
    files = source_files(kb, locales)
    key = stat_key([*files, *CODE_FILES])
    cache = state_dirs(environ).cache
    data = read_cache(cache_path(cache, lang, key))
    if data is not None:
        try:
            return Index(_checked(data))
        except (KeyError, TypeError, ValueError, AttributeError):
            data = None  # the right format number but the wrong shape: rebuild it
    if data is None:
        built = build_all(kb, locales, files)
        for other, other_data in built.items():
            write_cache(cache_path(cache, other, key), other_data)
        data = built[lang]
    return Index(data)


_SHAPE = (
    ("lang", str),
    ("ids", list),
    ("topics", dict),
    ("postings", dict),
    ("doclen", list),
    ("avgdl", (int, float)),
    ("qsets", list),
    ("strings", dict),
    ("content_hash", str),
)


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    """The cached data, if its fields have the types an Index needs; else ValueError."""
    for key, kind in _SHAPE:
        if not isinstance(data.get(key), kind):
            raise ValueError(key)
    if not len(data["ids"]) == len(data["doclen"]) == len(data["qsets"]) == len(data["topics"]):
        raise ValueError("lengths")
    if not all(isinstance(t, dict) for t in data["topics"].values()):
        raise ValueError("topics")
    return data


def _regular(path: str) -> bool:
    import stat

    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def build_all(kb: str, locales: str, files: list[str]) -> dict[str, dict[str, Any]]:
    """Parse every page (markdown-it, tomllib: only here) and build both languages' indexes."""
    from tmux_sensei.knowledge import PageError, page_files, read_page
    from tmux_sensei.tokens import Synonyms

    table = read_toml(os.path.join(kb, "synonyms.toml"))
    groups = table.get("groups", {})
    others = [str(p) for p in table.get("other_programs", {}).get("names", [])]
    scopes = [str(w) for w in table.get("scopes", {}).get("names", [])]
    synonyms = Synonyms({str(k): [str(f) for f in v] for k, v in groups.items()})
    tmux_terms = table.get("tmux_terms", {})
    own = [str(t) for t in tmux_terms.get("words", [])]
    names = read_toml(os.path.join(kb, "tmux-names.toml"))
    for key in ("commands", "options", "hooks"):
        own += [str(n) for n in names.get(key, []) if "-" in str(n)]  # "mouse" is no proof
    own += [str(n) for n in names.get("newer", {}) if "-" in str(n)]
    vocabulary = {  # decision.py's word lists
        "tmux": own,
        "shared": ["~" + str(g) for g in tmux_terms.get("shared_groups", [])],
        "panes": [str(t) for t in tmux_terms.get("pane_words", [])],
        "rivals": [str(t) for t in tmux_terms.get("pane_rivals", [])],
        "near": [str(n) for n in table.get("near_domain", {}).get("names", [])] + others,
        "story": [str(w) for w in table.get("story", {}).get("words", [])],
    }
    negations = table.get("not_tmux", {})
    not_tmux = (
        [str(w) for w in negations.get("before", [])],
        [str(w) for w in negations.get("after", [])],
    )
    digest = content_hash([f for f in files if _regular(f)])  # a FIFO would block the read
    built: dict[str, dict[str, Any]] = {}
    for lang in SUPPORTED:
        pages = []
        for path in page_files(kb, lang):
            try:
                pages.append(read_page(path, lang))
            except PageError:
                continue  # `kb check` reports it; one broken page must not silence the rest
        strings = load_strings(locales, lang)
        data = build_data(pages, lang, synonyms, strings, others, vocabulary, not_tmux, scopes)
        data["content_hash"] = digest
        built[lang] = data
    return built
