"""Reading a tmux.conf as tmux does, roughly: statements, words, commands.

tmux itself is the judge of syntax (explain_server asks it); this reader only needs to find each
statement's lines, its command names, flags and arguments, to explain them and to decide which
statements are safe to apply on the throwaway server.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Word:
    text: str  # with quotes and escapes removed
    start: int  # offset in the statement text
    end: int
    quoted: bool = False


@dataclass
class Statement:
    line: int  # first physical line (1-based)
    last: int  # last physical line
    text: str  # the physical lines joined with "\n"
    words: list[Word] = field(default_factory=list)
    directive: str = ""  # "%if", "%elif", "%else", "%endif", "%hidden" or ""
    in_condition: bool = False  # inside a %if block

    def commands(self) -> list[list[Word]]:
        """The top-level commands (split at unescaped `;`), braces kept inside their command."""
        out: list[list[Word]] = [[]]
        depth = 0
        for w in self.words:
            if not w.quoted and w.text == "{":
                depth += 1
            elif not w.quoted and w.text == "}":
                depth -= 1
            if depth == 0 and not w.quoted and w.text == ";":
                out.append([])
                continue
            out[-1].append(w)
        return [c for c in out if c]


def split_words(text: str) -> tuple[list[Word], int, bool]:
    """Words of a statement, the brace depth at its end, and whether a quote is left open.

    Single quotes are literal, double quotes take backslash escapes, `#` at the start of a word
    begins a comment (but `#{` is a format), a lone `{` or `}` is a word of its own, and a `;`
    ending a word separates commands (`\\;` is a literal `;`, passed on as an argument).
    """
    words: list[Word] = []
    i, n = 0, len(text)
    depth = 0
    while i < n:
        ch = text[i]
        if ch in " \t\r":
            i += 1
            continue
        if ch == "\\" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        if ch == "\n":
            i += 1
            continue
        if ch == "#" and not text.startswith("#{", i):
            while i < n and text[i] != "\n":  # a comment, to the end of the line
                i += 1
            continue
        if ch in ";{}":  # tmux reads these as words of their own at the start of a word
            words.append(Word(ch, i, i + 1))
            depth += {"{": 1, "}": -1}.get(ch, 0)
            i += 1
            continue
        start = i
        buf: list[str] = []
        quoted = False
        fmt = 0  # depth of #{ } inside the word
        while i < n:
            ch = text[i]
            if fmt == 0 and ch in " \t\r\n":
                break
            if ch == "'" and fmt == 0:
                quoted = True
                end = text.find("'", i + 1)
                if end < 0:
                    buf.append(text[i + 1 :])
                    words.append(Word("".join(buf), start, n, True))
                    return words, depth, True
                buf.append(text[i + 1 : end])
                i = end + 1
                continue
            if ch == '"' and fmt == 0:
                quoted = True
                i += 1
                while i < n and text[i] != '"':
                    if text[i] == "\\" and i + 1 < n:
                        buf.append(text[i + 1])
                        i += 2
                        continue
                    buf.append(text[i])
                    i += 1
                if i >= n:
                    words.append(Word("".join(buf), start, n, True))
                    return words, depth, True
                i += 1
                continue
            if ch == "\\" and i + 1 < n:
                if text[i + 1] == "\n":
                    i += 2
                    continue
                buf.append(text[i + 1])
                quoted = quoted or text[i + 1] == ";"  # `\;` is an argument, not a separator
                i += 2
                continue
            if text.startswith("#{", i):
                fmt += 1
                buf.append("#{")
                i += 2
                continue
            if ch == "}" and fmt:
                fmt -= 1
            elif ch in ";}" and fmt == 0:
                break  # as in tmux: an unquoted ; or } ends the word (and is a word itself)
            buf.append(ch)
            i += 1
        if buf or quoted:
            words.append(Word("".join(buf), start, i, quoted))
    return words, depth, False


def statements(text: str) -> list[Statement]:
    """Group physical lines into statements: a trailing `\\` or an open `{` block continues."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out: list[Statement] = []
    i = 0
    condition = 0
    while i < len(lines):
        first = i
        chunk = lines[i]
        while True:
            words, depth, open_quote = split_words(chunk)
            continued = _ends_with_backslash(lines[i])
            # tmux reads on after a trailing \, inside a { } block and inside quotes
            if (depth > 0 or continued or open_quote) and i + 1 < len(lines):
                i += 1
                chunk += "\n" + lines[i]
                continue
            break
        stripped = chunk.strip()
        directive = ""
        if stripped.startswith("%"):
            directive = stripped.split()[0] if stripped.split() else "%"
        if words or directive:
            st = Statement(first + 1, i + 1, chunk, words if not directive else [], directive)
            if directive == "%if":
                st.in_condition = condition > 0
                condition += 1
            elif directive == "%endif":
                condition = max(0, condition - 1)
                st.in_condition = condition > 0
            else:
                st.in_condition = condition > 0
            out.append(st)
        i += 1
    return out


def _ends_with_backslash(line: str) -> bool:
    body = line.rstrip("\r")
    count = len(body) - len(body.rstrip("\\"))
    return count % 2 == 1


def flags_and_args(words: list[Word], with_value: str) -> tuple[dict[str, str], list[Word]]:
    """Split `-gq -t target NAME VALUE` into {flag: value or ""} and the remaining words.
    `with_value` lists the flags that take an argument (as tmux's getopt string does)."""
    flags: dict[str, str] = {}
    i = 0
    while i < len(words):
        w = words[i]
        if w.quoted or not w.text.startswith("-") or w.text == "-" or w.text == "--":
            if w.text == "--" and not w.quoted:
                i += 1
            break
        letters = w.text[1:]
        j = 0
        while j < len(letters):
            letter = letters[j]
            if letter in with_value:
                rest = letters[j + 1 :]
                if rest:
                    flags[letter] = rest
                elif i + 1 < len(words):
                    i += 1
                    flags[letter] = words[i].text
                else:
                    flags[letter] = ""
                break
            flags[letter] = ""
            j += 1
        i += 1
    return flags, words[i:]
