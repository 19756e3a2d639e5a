"""Turn English and Japanese text into search tokens.

- Latin words are case-folded and lightly stemmed ("sessions" -> "session"); compound tmux names
  stay whole too ("remain-on-exit", "tmux.conf") so an exact name weighs more than its parts.
- Japanese has no spaces, so kanji become character bigrams (plus whole kanji words of three or
  more characters and lone kanji), kanji + okurigana pairs stay ("消え"), while bigrams that
  straddle a particle or a script change are dropped. Katakana words count whole, with a final
  long vowel folded (サーバー = サーバ).
- A synonym table joins both languages: every surface form of a group (デタッチ, 切り離す, detach)
  also yields the group's token "~detach", so a Japanese question can meet an English term.

Full-width Latin, half-width katakana and the like are folded first (NFKC).
"""

from __future__ import annotations

from itertools import pairwise
from unicodedata import normalize

from tmux_sensei.lang import is_japanese_char, is_kanji

STOPWORDS = frozenset(
    """a an the i im i'm me my we our you your he she it its they them is are was were be been
    am do does did doing done to of in on at by for with from into as and or but if then so than
    that this these those there here what which who whom whose when where why how can could
    would should will shall may might must have has had having not no yes just also very really
    any some all each about up out over again still get got getting make made want wanna need
    needs know let lets like way thing things one use using used please thanks thank help hi
    hello hey ok okay guys anyone someone something it's don't doesn't didn't can't cannot isn't
    won't without only even much many more most other same such too via vs etc eg ie
    after before while since because being been whether either anyway maybe lot kind sort
    say says said came come tried try trying seem seems weird pls plz figure
    today yesterday tomorrow""".split()
)


def stem(word: str) -> str:
    """A deliberately small English stemmer: enough to join plural and tense forms."""
    n = len(word)
    if n <= 3 or not word.isalpha():
        return word
    for suffix in ("isation", "ising", "ised", "ises", "ise"):  # British spelling meets American
        if word.endswith(suffix) and n > len(suffix) + 2:
            word = word[: -len(suffix)] + "iz" + suffix[2:]
            break
    if word.endswith("ies") and n > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("ing") and n > 5:
        base = word[:-3]
        return (
            base[:-1] if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz" else base
        )
    if word.endswith("ed") and n > 4:
        base = word[:-2]
        if base.endswith("i"):
            return base[:-1] + "y"
        return (
            base[:-1] if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz" else base
        )
    if word.endswith("es") and (word[-3] in "sxz" or word[-4:-2] in ("ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return stem(word[:-1]) if word[:-1].endswith("e") else word[:-1]
    if word.endswith("e") and n > 3:  # "terminate" meets "terminated", "name" meets "named"
        return word[:-1]
    return word


def fold(text: str) -> str:
    return normalize("NFKC", text).lower()


_PARTICLES = frozenset("はがをにでともへやかのよね")


def _is_hiragana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u309f"


def _is_katakana(ch: str) -> bool:
    return "\u30a0" <= ch <= "\u30ff"


def _is_symbol(ch: str) -> bool:
    code = ord(ch)
    return 0x2460 <= code <= 0x24FF or 0x2500 <= code <= 0x25FF or 0x2605 <= code <= 0x2606


def _word_char(ch: str) -> bool:
    return ch.isalnum() and not is_japanese_char(ch)


def scan(folded: str) -> list[tuple[bool, str]]:
    """Split folded text into runs: (True, japanese_run) or (False, latin_word)."""
    runs: list[tuple[bool, str]] = []
    buf: list[str] = []
    kind: bool | None = None
    n = len(folded)
    for i, ch in enumerate(folded):
        if _is_symbol(ch):  # ┤ ├ ○ ★: what a user sees broken on screen is worth a token
            if buf and kind is not None:
                runs.append((kind, "".join(buf)))
            buf, kind = [], None
            runs.append((False, ch))
            continue
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


def _is_identifier(word: str) -> bool:
    """Session names like "ftl2685263" and long numbers: specific to one user, never topical."""
    return sum(c.isdigit() for c in word) >= 4


def latin_tokens(word: str) -> list[str]:
    out: list[str] = []
    if _is_identifier(word):
        return out
    if len(word) > 2 and word.isalpha() and len(set(word)) == 1:
        word = word[:2]  # "-vvvv" and "-vv" are the same flag, repeated
    if any(c in word for c in "-_.@#"):
        whole = word.strip("-_.@#")
        if len(whole) > 1:
            out.append(whole)
        for part in whole.replace("_", "-").replace(".", "-").replace("@", "-").split("-"):
            part = part.strip("#")
            if len(part) > 1 and part not in STOPWORDS:
                out.append(stem(part))
        return out
    if (len(word) > 1 or _is_symbol(word) or word.isdigit()) and word not in STOPWORDS:
        out.append(stem(word))
    return out


# Request words of Japanese questions ("教えて", "知りたい"): they say nothing of the topic.
JA_STOP = frozenset(
    """教え 教 方 知り 分か 思う 思っ 思い 場合 何 事 出来
    良い 欲し 頂 下さ 願い 質問 今 誰 時""".split()
)


def _drop_final_long_vowel(run: str) -> str:
    """サーバー -> サーバ, ユーザー -> ユーザ: both spellings are common in Japanese IT writing."""
    if "ー" not in run:
        return run
    kept = []
    for i, ch in enumerate(run):
        if ch == "ー" and i > 0 and _is_katakana(run[i - 1]) and run[i - 1] != "ー":
            nxt = run[i + 1] if i + 1 < len(run) else ""
            if not (nxt and _is_katakana(nxt) and nxt != "ー"):
                continue
        kept.append(ch)
    return "".join(kept)


# Kanji that end a compound as grammar, not meaning: 再起動後 is 再起動 + "after", 接続中 is
# 接続 + "during"; kept, they make tokens no page has ("動後", "再起動後")
_SUFFIX_KANJI = frozenset("後前中")


def _without_suffix_kanji(run: str) -> list[str]:
    """The run cut where a grammatical kanji ends a compound of two or more kanji."""
    pieces, start = [], 0
    for i, ch in enumerate(run):
        ends_compound = i + 1 == len(run) or not is_kanji(run[i + 1])
        if (
            ch in _SUFFIX_KANJI
            and i - start >= 2
            and is_kanji(run[i - 1])
            and is_kanji(run[i - 2])
            and ends_compound
        ):
            pieces.append(run[start:i])
            start = i + 1
    pieces.append(run[start:])
    return [p for p in pieces if p]


def japanese_tokens(run: str) -> list[str]:
    run = _drop_final_long_vowel(run)
    return [t for piece in _without_suffix_kanji(run) for t in _piece_tokens(piece)]


def _piece_tokens(run: str) -> list[str]:
    out: list[str] = []
    for a, b in pairwise(run):
        # Kept: kanji + kanji, katakana + katakana, and kanji + a verb ending ("消え", "落ち").
        # Dropped, as they mostly straddle two words: anything starting with hiragana ("が消",
        # "たら"), katakana next to kanji ("ド終"), and a word + particle ("後も", "ンが").
        if _is_hiragana(a) or (_is_katakana(a) != _is_katakana(b) and not _is_hiragana(b)):
            continue
        if _is_hiragana(b) and (_is_katakana(a) or b in _PARTICLES):
            continue
        if _is_katakana(a) and _is_katakana(b):
            continue  # katakana words count whole: "カレ" of カレー must not meet カレント
        out.append(a + b)
    # whole words: katakana runs and kanji runs of three or more characters, and a lone kanji
    # noun before a particle or the end ("鍵を"), which no bigram would keep; a lone kanji
    # with its okurigana ("落ち") is already the bigram
    word: list[str] = []
    script = ""
    for ch in run + " ":
        s = "k" if _is_katakana(ch) else ("h" if _is_hiragana(ch) or ch == " " else "c")
        if s != script:
            lone_noun = len(word) == 1 and script == "c" and (ch == " " or ch in _PARTICLES)
            katakana_word = len(word) >= 2 and script == "k"
            if katakana_word or (len(word) >= 3 and script == "c") or lone_noun:
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
                if any(is_japanese_char(c) for c in f) or f.startswith("#"):
                    # Japanese has no word breaks; "#{" and "#(" are tmux syntax, not words
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


# A key chord written any way people write it: "Ctrl+B", "Ctrl + B + %", "ctrl-b", "^B", "<C-b>",
# "control b", "C-b"; Alt and Meta likewise ("alt+h", "M-h", "option-h").
_CHORD_TRIGGERS = tuple("ctrl control ctl strg ^ \u2303 c- alt meta m- option".split())
_KEY_NAMES = (
    "space enter return tab escape esc bspace backspace up down left right home end pageup "
    "pagedown pgup pgdn ppage npage dc ic delete insert f10 f11 f12 f1 f2 f3 f4 f5 f6 f7 f8 f9"
).split()
_CHORD_RE: object | None = None


def _chord_pattern() -> object:
    import re  # only for text that holds a chord-like word: re costs a third of a bare start

    names = "|".join(_KEY_NAMES)
    # a letter must end there ("prefix C-a" presses no "c"); a symbol may lead a word (":new")
    symbol = r"[%\"'.:;,?!&$#~=+|<>/\\\[\]{}()*@`-]"
    one = rf"(?:(?:{names}|[a-z0-9])(?![a-z0-9]|[-+][a-z0-9])|{symbol})"
    mod = r"(?P<mod>ctrl|control|ctl|strg|\^|\u2303|c|alt|meta|option|m)"
    shift = r"(?:\s*[-+]\s*shift)?"
    chord = rf"{mod}{shift}\s*(?P<sep>[-+]?)\s*(?P<key>{one})>?"
    # a key after the prefix is set apart by a space or a sign: "prefix key?" asks, presses nothing
    prefix = rf"(?P<prefix>prefix)(?:\s+key)?{shift}(?:\s*[-+]\s*|\s+)(?P<pkey>{one})"
    then = r"(?:\s*(?:\+|,|then|and|release|followed by|->|\u2192)\s*|\s+)+"
    nxt = rf"(?:{then}(?P<next>{one})(?![-+]))?"
    return re.compile(rf"(?<![a-z0-9])<?(?:{chord}|{prefix}){nxt}")


def key_tokens(folded: str) -> list[str]:
    """Chords in one normal form ("c-b", "m-h") and the key pressed after the prefix ("key-%")."""
    if not any(t in folded for t in _CHORD_TRIGGERS) and "prefix" not in folded:
        return []
    global _CHORD_RE
    if _CHORD_RE is None:
        _CHORD_RE = _chord_pattern()
    out: list[str] = []
    for m in _CHORD_RE.finditer(folded):  # type: ignore[attr-defined]
        nxt = m.group("next")
        if m.group("prefix"):
            out.append("key-" + _key_name(m.group("pkey")))
        else:
            mod = m.group("mod")
            if mod in ("c", "m") and not m.group("sep"):
                continue  # "c d" is no chord; "c-d" and "m-x" are
            chord = ("m-" if mod in ("alt", "meta", "option", "m") else "c-") + _key_name(
                m.group("key")
            )
            out.append(chord)
            if chord != "c-b":
                nxt = None  # only after the prefix does the next key mean a tmux command
        if nxt:
            out.append("key-" + _key_name(nxt))
    return out


def _key_name(key: str) -> str:
    return {
        "escape": "esc",
        "return": "enter",
        "backspace": "bspace",
        "pgup": "ppage",
        "pageup": "ppage",
        "pgdn": "npage",
        "pagedown": "npage",
    }.get(key, key)


def tokenize(text: str, synonyms: Synonyms | None = None) -> list[str]:
    """All tokens of a text, repeated as often as they occur (term frequency matters)."""
    folded = fold(text)
    tokens: list[str] = key_tokens(folded)
    words: list[str] = []
    has_japanese = False
    for japanese, run in scan(folded):
        if japanese:
            has_japanese = True
            tokens.extend(t for t in japanese_tokens(run) if t not in JA_STOP)
        else:
            words.append(run)
            if synonyms is not None and run in STOPWORDS:  # "why", "how": the question's intent
                tokens.extend(synonyms.latin.get(run, ()))
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
        if has_japanese or "#" in folded:
            for surface, token in synonyms.substrings:
                if surface in folded:
                    tokens.append(token)
    return tokens
