"""What the conversation knows, and how a follow-up leans on the last topic.

Pure functions over plain data, so that the REPL, the piped mode and the tests share them.
A follow-up is recognised by its words, never guessed from nothing:

- "2" after an unsure answer             -> the second of the closest topics it offered
- "example?", "例は？"                  -> the last topic's commands (its code blocks)
- "more", "もっと詳しく", "details"      -> the rest of the last topic's page
- "what does that mean?", "それってどういうこと？" -> the explanation (the page's first section)
- "how do I stop that from happening?", "じゃあ再起動したら？" -> searched together with the
  last topic, unless the question stands on its own (a change of topic); when it lands on the
  topic just answered, the page's sections the user has not seen yet that act on the problem
  (steps, causes and fixes, pitfalls), never its short answer again
"""

from __future__ import annotations

from tmux_sensei.tokens import fold

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.shapes import Block, BlockT

_EXAMPLE = ("example", "examples", "e.g.", "sample", "例", "サンプル", "具体的")
_MORE = (
    "more",
    "details",
    "detail",
    "tell me more",
    "go on",
    "詳しく",
    "くわしく",
    "もっと",
    "続き",
)
_MEANING = (
    "what does that mean",
    "what do you mean",
    "meaning",
    "explain",
    "どういうこと",
    "どういう意味",
    "意味",
    "なんで？",
    "なぜ？",
)
_REFERS_BACK = (
    "that",
    "this",
    "it",
    "those",
    "then",
    "instead",
    "それ",
    "その",
    "これ",
    "この",
    "あれ",
    "じゃあ",
    "じゃ",
    "では",
    "なら",
)
SHORT = 40  # characters: a follow-up is short; a long question stands on its own


class Conversation:
    __slots__ = ("lang", "last_blocks", "last_topic", "offered", "unseen")

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.last_topic: str | None = None
        self.last_blocks: list[Block] = []
        self.unseen: list[Block] = []  # what "more" shows next
        self.offered: list[str] = []  # the closest topics of an unsure answer, numbered 1, 2, 3

    def remember(self, topic: str | None, blocks: list[Block], unseen: list[Block]) -> None:
        self.last_topic = topic
        self.last_blocks = blocks
        self.unseen = unseen

    def clear(self) -> None:
        self.remember(None, [], [])

    def mark_seen(self, blocks: list[Block]) -> None:
        """Shown now: "more" leaves these out (the same block objects as in `unseen`)."""
        shown = {id(b) for b in blocks}
        self.unseen = [b for b in self.unseen if id(b) not in shown]


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() or ord(c) > 0x3000 else " " for c in fold(text)).split()


def _has(text: str, needles: tuple[str, ...]) -> bool:
    folded = fold(text)
    words = set(_words(text))
    return any((n in words) if n.isascii() and " " not in n else (n in folded) for n in needles)


def picked(text: str, conv: Conversation) -> str | None:
    """The topic a bare number ("2", "２", "2.") picks from the closest topics just offered."""
    number = fold(text).strip().rstrip(".)）")
    if number.isdigit() and 1 <= int(number) <= len(conv.offered):
        return conv.offered[int(number) - 1]
    return None


def follow_up_kind(text: str, conv: Conversation) -> str | None:
    """'pick', 'example', 'more', 'meaning', 'context' or None (a question of its own)."""
    if picked(text, conv) is not None:
        return "pick"
    if conv.last_topic is None or len(text) > SHORT:
        return None
    if _has(text, _EXAMPLE):
        return "example"
    if _has(text, _MORE):
        return "more"
    if _has(text, _MEANING):
        return "meaning"
    if _has(text, _REFERS_BACK):
        return "context"
    return None


def example_blocks(blocks: list[Block]) -> list[Block]:
    """The page's commands: its code blocks, else its steps that name a command."""
    code: list[Block] = [b for b in blocks if b[0] == "code"]
    if code:
        return code
    return [b for b in blocks if b[0] in ("ol", "ul") and any("`" in item for item in b[1])]


def sections(blocks: list[BlockT], level: int | None = None) -> list[list[BlockT]]:
    """[blocks before the first heading, section 1 (heading + blocks), section 2, ...], split
    at every heading, or only at headings of `level`."""
    out: list[list[BlockT]] = [[]]
    for block in blocks:
        if block[0] == "h" and (level is None or block[1] == level):
            out.append([])
        out[-1].append(block)
    return out


def meaning_blocks(blocks: list[Block]) -> list[Block]:
    """The page's first section (its "Why"), heading included."""
    parts = sections(blocks)
    return parts[1] if len(parts) > 1 else []


def compact(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """What fits a popup first, and the rest for "more": the short answer and the steps
    (a page's second section: the first explains why, which "what does that mean?" shows)."""
    parts = sections(blocks)
    if len(parts) <= 2:
        return blocks, []
    shown = parts[0] + parts[2]
    rest = parts[1] + [b for part in parts[3:] for b in part]
    return shown, rest


def fix_blocks(conv: Conversation) -> list[Block]:
    """What the user has not seen of the last page that acts on the problem: every unseen
    section but the explanation ("what does that mean?" shows that one)."""
    why = meaning_blocks(conv.last_blocks)
    heading = why[0] if why else None
    return [
        block
        for part in sections(conv.unseen)
        if not (part and part[0] == heading)
        for block in part
    ]


# Sentence ends and the words that join two questions ("…, and how do I…", "…。あと…"):
# the search would split a follow-up glued to a title at them and answer each half.
_GLUE = str.maketrans({c: " " for c in "?？!！。、\n"})
_JOINING_WORDS = frozenset(("and", "also"))  # stop words, so the search loses nothing


def leaning_query(text: str, title: str) -> str:
    """A follow-up searched together with the last topic's title, as one question."""
    words = f"{text} {title}".translate(_GLUE).split()
    return " ".join(w for w in words if w.lower() not in _JOINING_WORDS)
