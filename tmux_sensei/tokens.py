"""Turn English and Japanese text into search tokens.

- Latin words are case-folded and lightly stemmed ("sessions" -> "session"); compound tmux names
  stay whole too ("remain-on-exit", "tmux.conf") so an exact name weighs more than its parts.
- Japanese has no spaces, so runs of Japanese script become character bigrams (hiragana-only
  bigrams are dropped: they are mostly particles and verb endings), plus whole katakana and kanji
  words of three or more characters.
- A synonym table joins both languages: every surface form of a group (デタッチ, 切り離す, detach)
  also yields the group's token "~detach", so a Japanese question can meet an English term.

Full-width Latin, half-width katakana and the like are folded first (NFKC).
"""

from __future__ import annotations

from unicodedata import normalize

from tmux_sensei.lang import is_japanese_char

STOPWORDS = frozenset(
    """a an the i im i'm me my we our you your he she it its they them is are was were be been
    am do does did doing done to of in on at by for with from into as and or but if then so than
    that this these those there here what which who whom whose when where why how can could
    would should will shall may might must have has had having not no yes just also very really
    any some all each about up out over again still get got getting make made want wanna need
    needs know let lets like way thing things one use using used please thanks thank help hi
    hello hey ok okay guys anyone someone something it's don't doesn't didn't can't cannot isn't
    won't without only even much many more most other same such too via vs etc eg ie
    after before while since because""".split()
)


def stem(word: str) -> str:
    """A deliberately small English stemmer: enough to join plural and tense forms."""
    n = len(word)
    if n <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and n > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("ing") and n > 5:
        base = word[:-3]
        return base[:-1] if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz" else base
    if word.endswith("ed") and n > 4:
        base = word[:-2]
        if base.endswith("i"):
            return base[:-1] + "y"
        return base[:-1] if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz" else base
    if word.endswith("es") and (word[-3] in "sxz" or word[-4:-2] in ("ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def fold(text: str) -> str:
    return normalize("NFKC", text).lower()


def _is_hiragana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u309f"


def _is_katakana(ch: str) -> bool:
    return "\u30a0" <= ch <= "\u30ff"


def _word_char(ch: str) -> bool:
    return ch.isalnum() and not is_japanese_char(ch)


def scan(folded: str) -> list[tuple[bool, str]]:
    """Split folded text into runs: (True, japanese_run) or (False, latin_word)."""
    runs: list[tuple[bool, str]] = []
    buf: list[str] = []
    kind: bool | None = None
    n = len(folded)
    for i, ch in enumerate(folded):
        if is_japanese_char(ch) or (ch == "ー" and kind is True):
            k: bool | None = True
        elif _word_char(ch):
            k = False
        elif ch in "-_.@#" and kind is False and i + 1 < n and _word_char(folded[i + 1]):
            k = False  # joins "remain-on-exit", "tmux.conf", "3.3a", "#{pane_id}" parts
        else:
            k = None
        if k is not kind:
            if buf and kind is not None:
                runs.append((kind, "".join(buf)))
            buf = []
            kind = k
        if k is not None:
            buf.append(ch)
    if buf and kind is not None:
        runs.append((kind, "".join(buf)))
    return runs


def latin_tokens(word: str) -> list[str]:
    out: list[str] = []
    if any(c in word for c in "-_.@#"):
        whole = word.strip("-_.@#")
        if len(whole) > 1:
            out.append(whole)
        for part in whole.replace("_", "-").replace(".", "-").replace("@", "-").split("-"):
            part = part.strip("#")
            if len(part) > 1 and part not in STOPWORDS:
                out.append(stem(part))
        return out
    if len(word) > 1 and word not in STOPWORDS:
        out.append(stem(word))
    elif word.isdigit():
        out.append(word)
    return out


def japanese_tokens(run: str) -> list[str]:
    out: list[str] = []
    for a, b in zip(run, run[1:], strict=False):
        # A hiragana first character is a particle or an ending ("が消", "たら"); katakana followed
        # by hiragana is a word and its particle ("ンが"). Kanji + hiragana stays: "消え", "落ち".
        if not _is_hiragana(a) and not (_is_katakana(a) and _is_hiragana(b)):
            out.append(a + b)
    # whole words: katakana runs and kanji runs of three or more characters
    word: list[str] = []
    script = ""
    for ch in run + " ":
        s = "k" if _is_katakana(ch) else ("h" if _is_hiragana(ch) or ch == " " else "c")
        if s != script:
            if len(word) >= 3 and script in ("k", "c"):
                out.append("".join(word))
            word = []
            script = s
        word.append(ch)
    return out


class Synonyms:
    """Groups of words that mean the same, across both languages."""

    __slots__ = ("latin", "phrases", "substrings")

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.latin: dict[str, list[str]] = {}  # stemmed single word -> group tokens
        self.phrases: list[tuple[str, str]] = []  # (" multi word ", group token)
        self.substrings: list[tuple[str, str]] = []  # (japanese surface, group token)
        for name, forms in groups.items():
            token = "~" + name
            for form in forms:
                f = fold(form).strip()
                if any(is_japanese_char(c) for c in f):
                    self.substrings.append((f, token))
                elif " " in f:
                    self.phrases.append((" " + " ".join(f.split()) + " ", token))
                else:
                    for t in {f, stem(f)}:
                        self.latin.setdefault(t, [])
                        if token not in self.latin[t]:
                            self.latin[t].append(token)

    def to_data(self) -> tuple[dict[str, list[str]], list[tuple[str, str]], list[tuple[str, str]]]:
        return self.latin, self.phrases, self.substrings

    @classmethod
    def from_data(
        cls, data: tuple[dict[str, list[str]], list[tuple[str, str]], list[tuple[str, str]]]
    ) -> Synonyms:
        obj = cls({})
        obj.latin, obj.phrases, obj.substrings = data[0], list(data[1]), list(data[2])
        return obj


def tokenize(text: str, synonyms: Synonyms | None = None) -> list[str]:
    """All tokens of a text, repeated as often as they occur (term frequency matters)."""
    folded = fold(text)
    tokens: list[str] = []
    words: list[str] = []
    has_japanese = False
    for japanese, run in scan(folded):
        if japanese:
            has_japanese = True
            tokens.extend(japanese_tokens(run))
        else:
            words.append(run)
            for tok in latin_tokens(run):
                tokens.append(tok)
                if synonyms is not None:
                    tokens.extend(synonyms.latin.get(tok, ()))
    if synonyms is not None:
        if synonyms.phrases and len(words) > 1:
            joined = " " + " ".join(words) + " "
            for phrase, token in synonyms.phrases:
                if phrase in joined:
                    tokens.append(token)
        if has_japanese:
            for surface, token in synonyms.substrings:
                if surface in folded:
                    tokens.append(token)
    return tokens
