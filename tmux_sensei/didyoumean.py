""" "Did you mean `remain-on-exit`?": misspelt tmux commands and options in a question, matched
against the real names of the tmux installed here.

The names come from tmux itself (`installed.installed_facts`, cached per tmux binary), asked
only when a question holds a name-like word that the knowledge base does not know.
"""

from __future__ import annotations

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


def corrections(text: str, index: Index, environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """[(typed, meant)] for the misspelt tmux names of a question."""
    words = candidates(text, index)
    if not words:
        return []
    from tmux_sensei.installed import installed_facts

    facts = installed_facts(environ)
    names = [str(n) for n in facts["names"]] if facts else []
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
