"""Answer -> Markdown text, terminal text (wrapped, CJK-aware, optionally coloured), or JSON."""

from __future__ import annotations

from tmux_sensei.textutil import dumps_json, sanitize, width, wrap_pieces

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from tmux_sensei.shapes import Answer, FindingBlock, ShownBlock

STATUS_MARK = {"ok": "✓", "warn": "!", "problem": "✗", "unknown": "?"}

_STYLES = {
    "": "",
    "bold": "\x1b[1m",
    "code": "\x1b[36m",
    "title": "\x1b[1;36m",
    "heading": "\x1b[1;33m",
    "dim": "\x1b[2m",
    "mark": "\x1b[1;32m",
    "warnmark": "\x1b[1;33m",
    "problemmark": "\x1b[1;31m",
}
_RESET = "\x1b[0m"
_MARK_STYLE = {"ok": "mark", "warn": "warnmark", "problem": "problemmark", "unknown": "dim"}


# ---------------------------------------------------------------- Markdown


def blocks_markdown(blocks: Sequence[ShownBlock]) -> str:
    out: list[str] = []
    for block in blocks:
        if block[0] == "h":
            out.append("#" * block[1] + " " + block[2])
        elif block[0] == "p":
            out.append(block[1])
        elif block[0] == "ul":
            out.append("\n".join(f"- {item}" for item in block[1]))
        elif block[0] == "ol":
            out.append("\n".join(f"{n}. {item}" for n, item in enumerate(block[1], block[2])))
        elif block[0] == "code":
            out.append(f"```{block[1]}\n{block[2]}\n```")
        elif block[0] == "f":
            out.append(finding_markdown(block))
    # the output boundary: page text, findings and names did not come from this code
    return sanitize("\n\n".join(out))


def finding_markdown(block: FindingBlock) -> str:
    """- ✓ summary, then the detail and the fix indented under it."""
    _, status, summary, detail, fix = block
    lines = [f"- {STATUS_MARK.get(status, '?')} {summary}"]
    lines += [f"  {line}" for line in detail.splitlines() if line.strip()]
    if fix:
        lines.append(f"  → {fix}")
    return "\n".join(lines)


def answer_blocks(answer: Answer, strings: Mapping[str, str]) -> list[ShownBlock]:
    """The whole answer as one list of blocks, in reading order."""
    blocks: list[ShownBlock] = [("p", note) for note in answer.get("notes", []) if note]
    if not answer["confident"]:
        blocks.append(("p", "**" + strings.get("answer.unsure", "") + "**"))
        if answer["closest"]:
            blocks.append(("p", strings.get("answer.unsure_closest", "")))
            blocks.append(("ol", [c["title"] for c in answer["closest"]], 1))
            blocks.append(("p", strings.get("answer.unsure_hint", "")))
        return blocks
    for part in answer["parts"]:
        blocks.append(("h", 1, part["title"]))
        blocks += part["blocks"]
    if answer.get("explain_hint"):
        blocks.append(("p", answer["explain_hint"]))
    if answer.get("findings"):
        blocks.append(("h", 2, strings.get("answer.findings", "")))
        for f in answer["findings"]:
            blocks.append(("f", f["status"], f["summary"], f.get("detail", ""), f.get("fix", "")))
    if answer.get("suggestions"):
        blocks.append(("h", 2, strings.get("answer.next", "")))
        blocks.append(("ul", list(answer["suggestions"])))
    return blocks


def answer_markdown(answer: Answer, strings: Mapping[str, str]) -> str:
    return blocks_markdown(answer_blocks(answer, strings)) + "\n"


def answer_json(answer: Answer, strings: Mapping[str, str]) -> str:
    doc = {
        "lang": answer["lang"],
        "confident": answer["confident"],
        "text": answer_markdown(answer, strings),
        "answers": [
            {
                "topic": p["topic"],
                "title": p["title"],
                "confidence": p["confidence"],
                "text": f"# {p['title']}\n\n" + blocks_markdown(p["blocks"]) + "\n",
            }
            for p in answer["parts"]
        ],
        "closest": [dict(c) for c in answer["closest"]],
        "did_you_mean": list(answer.get("did_you_mean", [])),
        "findings": [dict(f) for f in answer.get("findings", [])],
        "related": list(answer["related"]),
        "suggestions": list(answer["suggestions"]),
    }
    return dumps_json(doc) + "\n"  # strings sanitised, controls escaped


# ---------------------------------------------------------------- terminal


def inline_pieces(text: str, base: str = "") -> list[tuple[str, str]]:
    """Split inline Markdown into styled pieces: `code`, **bold**, plain."""
    pieces: list[tuple[str, str]] = []
    i, n = 0, len(text)
    buf: list[str] = []
    style = base

    def flush() -> None:
        if buf:
            pieces.append((style, "".join(buf)))
            buf.clear()

    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "`*_\\":
            buf.append(text[i + 1])
            i += 2
            continue
        if ch == "`":
            ticks = 1
            while i + ticks < n and text[i + ticks] == "`":
                ticks += 1
            end = text.find("`" * ticks, i + ticks)
            if end > 0:
                flush()
                pieces.append(("code", text[i + ticks : end].strip(" ") or text[i + ticks : end]))
                i = end + ticks
                continue
        if text.startswith("**", i):
            end = text.find("**", i + 2)
            if end > 0:
                flush()
                for s, t in inline_pieces(text[i + 2 : end], "bold"):
                    pieces.append((s, t))
                i = end + 2
                continue
        buf.append(ch)
        i += 1
    flush()
    return pieces


def paint_line(line: list[tuple[str, str]], color: bool) -> str:
    """One terminal line: the output boundary, where every piece is sanitised (no escape or
    control a page, a finding or a name carries reaches the terminal) and our colours added."""
    if not color:
        return sanitize("".join(t for _, t in line), keep_newlines=False)
    out: list[str] = []
    for style, raw in line:
        text = sanitize(raw, keep_newlines=False)
        code = _STYLES.get(style, "")
        out.append(f"{code}{text}{_RESET}" if code and text.strip() else text)
    return "".join(out)


def render_blocks(blocks: Sequence[ShownBlock], columns: int, color: bool) -> list[str]:
    lines: list[str] = []

    def para(pieces: list[tuple[str, str]], indent: str = "", first: str | None = None) -> None:
        for line in wrap_pieces(pieces, columns, indent, first):
            lines.append(paint_line(line, color))

    for block in blocks:
        if lines:
            lines.append("")
        if block[0] == "h":
            style = "title" if block[1] == 1 else "heading"
            para([(style, t) for _, t in inline_pieces(block[2])])
            if block[1] == 1:
                lines.append(paint_line([("dim", "─" * min(columns, width(block[2]) + 2))], color))
        elif block[0] == "p":
            para(inline_pieces(block[1]))
        elif block[0] == "ul":
            for item in block[1]:
                para(inline_pieces(item), "    ", "  • ")
        elif block[0] == "ol":
            last = block[2] + len(block[1]) - 1
            pad = len(str(last))
            for n, item in enumerate(block[1], block[2]):
                first = f"  {str(n).rjust(pad)}. "
                para(inline_pieces(item), " " * len(first), first)
        elif block[0] == "code":
            for code_line in block[2].split("\n"):
                lines.append(paint_line([("code", "    " + code_line)], color) if code_line else "")
        elif block[0] == "f":
            if (
                lines
                and lines[-1] == ""
                and len(lines) > 1
                and blocks[blocks.index(block) - 1][0] == "f"
            ):
                lines.pop()  # findings sit one per line, without blank lines between
            _, status, summary, detail, fix = block
            mark = STATUS_MARK.get(status, "?")
            para(
                [(_MARK_STYLE.get(status, ""), mark), ("", " "), *inline_pieces(summary)],
                "    ",
                "  ",
            )
            for line in detail.splitlines():
                if line.strip():
                    para([("dim", t) for _, t in inline_pieces(line)], "    ", "    ")
            if fix:
                para([("", "→ "), *inline_pieces(fix)], "      ", "    ")
    return lines


def wants_color(environ: Mapping[str, str], isatty: bool) -> bool:
    """The one colour rule: a non-empty NO_COLOR means plain; else FORCE_COLOR means colour;
    else only a terminal that isn't dumb."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return isatty and environ.get("TERM") != "dumb"


def text_width(columns: int) -> int:
    """Where to wrap: 20 to 100 columns, one spare (a terminal wraps at its last column)."""
    return max(20, min(columns, 100)) - 1


def terminal_text(blocks: Sequence[ShownBlock], columns: int, color: bool) -> str:
    return "\n".join(render_blocks(blocks, text_width(columns), color)) + "\n"


def answer_terminal(answer: Answer, strings: Mapping[str, str], columns: int, color: bool) -> str:
    return terminal_text(answer_blocks(answer, strings), columns, color)
