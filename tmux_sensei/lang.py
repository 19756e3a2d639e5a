"""Which language to answer in: from the question's own text, else from flags and the locale."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

SUPPORTED = ("en", "ja")

# Words that only an English sentence has; tmux names alone ("escape-time", "C-b d") tell nothing.
_ENGLISH_WORDS = frozenset(
    """a an the i my me we you your it its is are was were be been do does did don't doesn't
    can can't cannot could how why what when where which who whose there this that these those
    to of in on at for with from after before while and or but not no if so then than
    have has had get got make makes use using want need should would will keep keeps
    help please way still just only every all any some after again""".split()
)


def is_kanji(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
    )


def is_japanese_char(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or is_kanji(ch)
        or 0xFF66 <= code <= 0xFF9F  # half-width katakana
        or 0x31F0 <= code <= 0x31FF  # katakana phonetic extensions
    )


def _own_words(text: str) -> str:
    """The text without what it quotes: `inline code` and 「…」 hold pasted commands and
    messages, not the asker's own words."""
    pieces = text.split("`")
    own = " ".join(pieces[0::2]) if len(pieces) > 2 else text
    kept: list[str] = []
    while "「" in own and "」" in own.split("「", 1)[1]:
        head, rest = own.split("「", 1)
        kept.append(head + " 「」 ")  # the brackets themselves are Japanese punctuation
        own = rest.split("」", 1)[1]
    return "".join(kept) + own


def detect(text: str) -> str | None:
    """'ja' or 'en' by the share of each language in the asker's own words, None if it can't tell.

    Hiragana is the grammar of a Japanese sentence: with none, kanji and katakana are quoted
    names in an English sentence ("my status bar shows 日本語"). English is counted by its
    function words; a Japanese question that pastes an English message still has more
    Japanese than the message has function words.
    """
    own = _own_words(text)
    words = "".join(c.lower() if c.isalpha() or c == "'" else " " for c in own).split()
    plain = sum(w in _ENGLISH_WORDS for w in words)
    japanese = [c for c in own if is_japanese_char(c) or c in "「」"]
    if japanese:
        hiragana = sum("\u3040" <= c <= "\u309f" or c in "「」" for c in japanese)
        if hiragana == 0 and plain:
            return "en"
        return "ja" if hiragana + 0.7 * (len(japanese) - hiragana) > plain else "en"
    if plain or len([w for w in words if len(w) > 2]) >= 4:
        return "en"
    if any(is_japanese_char(c) for c in text):  # Japanese only inside what it quotes
        return "ja"
    return None


def _code(value: str | None) -> str:
    return (value or "").split(".")[0].split("@")[0].split("_")[0].lower()  # "ja_JP.UTF-8" -> "ja"


def ui_language(environ: Mapping[str, str], flag: str | None = None) -> str:
    """--lang, then TMUX_SENSEI_LANG, then LANGUAGE (only under a real locale), LC_ALL, LC_MESSAGES,
    LANG, then English. C and POSIX are skipped, as gettext does."""
    locale = environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG")
    chain = [flag, environ.get("TMUX_SENSEI_LANG")]
    if _code(locale) not in ("", "c", "posix"):
        chain += environ.get("LANGUAGE", "").split(":")
    chain.append(locale)
    return next((c for c in map(_code, chain) if c in SUPPORTED), "en")


def answer_language(text: str, environ: Mapping[str, str], flag: str | None = None) -> str:
    """The flag wins; else the question's own language; else the user's locale."""
    if flag in SUPPORTED:
        return flag
    return detect(text) or ui_language(environ)
