"""Text hygiene and terminal widths: strip escapes, count CJK columns, wrap lines.

No `re` here on purpose: this module is on every `ask`, and importing `re` alone costs about
half of the interpreter's own start-up time.
"""

from __future__ import annotations

from unicodedata import east_asian_width

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ESC = "\x1b"

# Invisible characters that reorder or hide text: zero-width space, LRM/RLM, the Arabic
# letter mark, bidi embeddings/overrides (U+202A-E) and isolates (U+2066-9), line and paragraph
# separators, the BOM.
_INVISIBLE = frozenset(
    (0x200B, 0x200E, 0x200F, 0x061C, 0x2028, 0x2029, 0xFEFF, *range(0x202A, 0x202F))
) | frozenset(range(0x2066, 0x206A))

# Characters that must not end a line in Japanese: opening brackets.
_NO_LINE_END = set("（「『【〈《〔［｛")
# Characters that must not start a line in Japanese (kinsoku shori, simplified).
_NO_LINE_START = set(
    "、。，．・：；？！ー」』）】〉》〕’”ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ,.;:!?)]}"
)


def fix_surrogates(text: str) -> str:
    """Turn bytes that were not UTF-8 (kept by Python as lone surrogates) into U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def sanitize(text: str, *, keep_newlines: bool = True) -> str:
    """Remove terminal escape sequences and control characters, keep the readable text.

    Text from users and from the system may hold sequences that would move the cursor, change
    the title or the clipboard of the terminal we print to; none of them may pass through.
    """
    plain = text.replace("\n", "").replace("\t", "")
    if plain.isprintable():  # no control, format, separator or surrogate: nothing to remove
        return text if keep_newlines or len(plain) == len(text) else text.replace("\n", " ")
    text = fix_surrogates(text)
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        code = ord(ch)
        if ch == ESC or code == 0x9B or code == 0x9D:
            i = _skip_escape(text, i)
            continue
        if ch == "\n" or ch == "\t":
            out.append(ch if keep_newlines or ch == "\t" else " ")
        elif ch == "\r":
            if not (i + 1 < n and text[i + 1] == "\n"):  # CRLF is one line break
                out.append("\n" if keep_newlines else " ")
        elif code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0:
            pass  # C0/C1 controls: never printable, never meaningful in a question
        elif code in _INVISIBLE:
            pass  # zero-width and bidi controls (embeddings, overrides, isolates) disguise text
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def controls_in(text: str) -> list[str]:
    """The control and invisible characters `sanitize` would remove (as U+XXXX), in order."""
    found: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch in "\n\t":
            continue
        if code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or code in _INVISIBLE:
            name = f"U+{code:04X}"
            if name not in found:
                found.append(name)
    return found


def clean_data(value: Any) -> Any:
    """Every string inside lists and dicts sanitised (newlines kept); other values as they are."""
    if isinstance(value, str):
        return sanitize(value)
    if isinstance(value, dict):
        return {clean_data(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_data(v) for v in value]
    return value


def dumps_json(doc: Any, indent: int | None = 2) -> str:
    """JSON for stdout: strings sanitised, and any control, format or line-separator character
    left (C0, DEL, C1, bidi, U+2028/9) escaped as \\uXXXX, so that no reader of the JSON (a
    terminal, a JavaScript parser) meets one raw. Non-ASCII text stays readable."""
    import json

    text = json.dumps(clean_data(doc), ensure_ascii=False, indent=indent)
    if text.replace("\n", "").isprintable():
        return text
    return "".join(
        c if c == "\n" or c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else c
        for c in text
    )


def _skip_escape(text: str, i: int) -> int:
    """Return the index after the escape sequence that starts at i (CSI, OSC, DCS or 2-byte)."""
    n = len(text)
    first = text[i]
    if first == "\x9b":  # 8-bit CSI
        kind, j = "[", i + 1
    elif first == "\x9d":  # 8-bit OSC
        kind, j = "]", i + 1
    else:
        if i + 1 >= n:
            return n
        kind, j = text[i + 1], i + 2
    if kind == "[":  # CSI: parameters and intermediates, then one final byte @..~
        while j < n and not ("@" <= text[j] <= "~"):
            j += 1
        return min(j + 1, n)
    if kind in "]PX^_":  # OSC/DCS/SOS/PM/APC: until BEL or ST (ESC \)
        while j < n:
            if text[j] == "\x07" or text[j] == "\x9c":
                return j + 1
            if text[j] == ESC and j + 1 < n and text[j + 1] == "\\":
                return j + 2
            j += 1
        return n
    return min(j, n)  # a two-character escape such as ESC c


def char_width(ch: str) -> int:
    """Terminal columns of a character: 2 if wide or full-width, 0 if combining, else 1."""
    code = ord(ch)
    if code < 0x1100:
        if 0x300 <= code < 0x370:
            return 0
        return 1
    if 0xFE00 <= code <= 0xFE0F or code == 0x200D:
        return 0
    return 2 if east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Columns the text takes (ANSI escapes must be removed first)."""
    if text.isascii():
        return len(text)
    return sum(char_width(c) for c in text)


def is_wide(ch: str) -> bool:
    return ord(ch) >= 0x1100 and char_width(ch) == 2


def wrap_pieces(
    pieces: list[tuple[str, str]], columns: int, indent: str = "", first_indent: str | None = None
) -> list[list[tuple[str, str]]]:
    """Wrap styled pieces [(style, text)] into lines of at most `columns` columns.

    Latin text breaks at spaces; wide (CJK) characters may break anywhere, except that
    closing punctuation never starts a line. A piece styled "code" is kept whole when it fits.
    """
    first = indent if first_indent is None else first_indent
    lines: list[list[tuple[str, str]]] = []
    line: list[tuple[str, str]] = [("", first)] if first else []
    used = width(first)
    limit = max(columns, 10)

    def newline() -> None:
        nonlocal line, used
        while line and line[-1][1].endswith(" "):  # no trailing blanks
            style, txt = line[-1]
            txt = txt.rstrip(" ")
            if txt:
                line[-1] = (style, txt)
                break
            line.pop()
        lines.append(line)
        line = [("", indent)] if indent else []
        used = width(indent)

    full_line = limit - width(indent)
    for style, text in pieces:
        units = _units(text, keep_whole=style == "code")
        if len(units) == 1 and " " in units[0] and width(units[0]) > full_line:
            units = _units(units[0], keep_whole=False)  # longer than a line: break at spaces
        for unit in units:
            w = width(unit)
            at_start = used == width(indent if lines else first)
            if unit == " " and at_start:
                continue
            if used + w > limit and not at_start and unit != " ":
                carried: list[tuple[str, str]] = []
                if unit[0] in _NO_LINE_START:
                    # oidashi: the character before goes along, or the whole word in Latin text
                    # (a code span whole), and again while what goes first may not start a line
                    # ("…ここ）。": the 。 takes the ） and the こ with it)
                    while True:
                        last = _last_char(line)
                        moved = _pop_char(line) if is_wide(last) else _pop_word(line)
                        if moved is None:
                            break
                        carried[:0] = [moved] if isinstance(moved, tuple) else moved
                        if carried[0][1][:1] not in _NO_LINE_START:
                            break
                    if not carried:  # nothing to carry: let the mark hang
                        _append(line, style, unit)
                        used += w
                        continue
                while _last_char(line) in _NO_LINE_END:  # an opening bracket goes with its text
                    ch = _pop_char(line)
                    if ch is None:
                        break
                    carried.insert(0, ch)
                newline()
                for carried_style, ch_text in carried:
                    _append(line, carried_style, ch_text)
                    used += width(ch_text)
            if w > limit - used and len(unit) > 1:
                # a word or code span longer than a line (a path, a URL): split it rather
                # than overflow the screen
                for piece in unit:
                    cw = char_width(piece)
                    if used + cw > limit:
                        newline()
                    _append(line, style, piece)
                    used += cw
                continue
            _append(line, style, unit)
            used += w
    if line and any(t.strip() for _, t in line):
        newline()
    return lines


def _last_char(line: list[tuple[str, str]]) -> str:
    return line[-1][1][-1:] if line and line[-1][1] else ""


def _pop_char(line: list[tuple[str, str]]) -> tuple[str, str] | None:
    """Remove and return (style, last character) of a line, unless that would leave the line
    without text (then the caller lets the line run one mark long)."""
    visible = "".join(t for _, t in line).strip()
    if len(visible) < 2 or line[-1][1][-1:] in ("", " "):
        return None
    style, text = line[-1]
    if len(text) == 1:
        line.pop()
    else:
        line[-1] = (style, text[:-1])
    return style, text[-1]


def _pop_word(line: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """Remove and return the trailing word of a line (it may span styled pieces), unless it is
    the line's only word. A code span is one word: a command people copy is never cut."""
    if line and line[-1][0] == "code":
        if not "".join(t for _, t in line[:-1]).strip():
            return None
        return [line.pop()]
    text = "".join(t for _, t in line)
    stripped = text.rstrip()
    cut = stripped.rfind(" ")
    if cut < 0 or not stripped[:cut].strip():
        return None
    keep = cut + 1
    taken: list[tuple[str, str]] = []
    while line and len("".join(t for _, t in line)) > keep:
        style, piece = line.pop()
        over = len("".join(t for _, t in line)) + len(piece) - keep
        if over < len(piece):
            line.append((style, piece[: len(piece) - over]))
            taken.insert(0, (style, piece[len(piece) - over :]))
            break
        taken.insert(0, (style, piece))
    return taken


def _append(line: list[tuple[str, str]], style: str, text: str) -> None:
    if line and line[-1][0] == style:
        line[-1] = (style, line[-1][1] + text)
    else:
        line.append((style, text))


def _units(text: str, *, keep_whole: bool) -> list[str]:
    """Split text into breakable units: words, single spaces, single wide characters."""
    if keep_whole and not any(is_wide(c) for c in text):
        return [text]  # a command people copy: "tmux attach -t work" moves as one
    units: list[str] = []
    word: list[str] = []
    for ch in text:
        if ch == " " or ch == "\n":
            if word:
                units.append("".join(word))
                word = []
            units.append(" ")
        elif is_wide(ch):
            if word:
                units.append("".join(word))
                word = []
            units.append(ch)
        else:
            word.append(ch)
    if word:
        units.append("".join(word))
    return units
