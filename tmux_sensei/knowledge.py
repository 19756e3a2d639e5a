"""Read knowledge pages: TOML front matter plus a small Markdown subset, parsed into blocks.

The index builder (a cold cache), `kb check` and the lessons import this module; a warm `ask`
reads the blocks from the cache and never loads tomllib or markdown-it.

A block is a plain tuple, so that the cache can store it with marshal (its type: shapes.Block):
    ("h", level, inline)      heading
    ("p", inline)             paragraph
    ("ul", [inline, ...])     bullet list
    ("ol", [inline, ...], n)  numbered list starting at n
    ("code", info, text)      fenced code block
`inline` is the Markdown source of the inline content (code spans, **bold**).
"""

from __future__ import annotations

import os
import tomllib
from typing import Any

from tmux_sensei.paths import data_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    from tmux_sensei.shapes import Block

REQUIRED_KEYS = ("title", "questions", "tags", "related")
KNOWN_KEYS = {*REQUIRED_KEYS, "probes", "sources", "needs", "older", "errors"}


class PageError(Exception):
    """A page that cannot be read or parsed; the message names the file and the problem."""


class Page:
    __slots__ = ("blocks", "body", "front", "id", "lang", "path", "unsupported")

    def __init__(
        self,
        id: str,
        lang: str,
        path: str,
        front: dict[str, Any],
        body: str,
        blocks: list[Block],
        unsupported: list[str],
    ) -> None:
        self.id = id
        self.lang = lang
        self.path = path
        self.front = front
        self.body = body
        self.blocks = blocks
        self.unsupported = unsupported

    @property
    def title(self) -> str:
        return str(self.front.get("title", self.id))

    @property
    def questions(self) -> list[str]:
        return [str(q) for q in self.front.get("questions", [])]


def knowledge_root() -> str:
    return data_dir("knowledge")


def page_files(root: str, lang: str) -> list[str]:
    folder = os.path.join(root, lang)
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".md"))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names]


def split_front_matter(text: str) -> tuple[str, str]:
    if not text.startswith("+++"):
        raise PageError("no front matter: the page must start with a line '+++'")
    end = text.find("\n+++", 3)
    if end < 0:
        raise PageError("front matter is not closed by a line '+++'")
    return text[3:end], text[end + 4 :].lstrip("\n")


MAX_PAGE_BYTES = 1 << 20  # a page is a few KB; a bigger file is not a page
LIST_KEYS = ("questions", "tags", "related", "probes", "sources", "errors")


def front_matter_problems(front: dict[str, Any]) -> list[str]:
    """Values of the wrong type (`tags = 7`, `needs = "3.4"`): such a page is not read."""
    problems = []
    if "title" in front and not isinstance(front["title"], str):
        problems.append("title must be a string")
    for key in LIST_KEYS:
        value = front.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{key} must be a list of strings")
    needs = front.get("needs", {})
    if not isinstance(needs, dict) or not all(isinstance(v, str) for v in needs.values()):
        problems.append('needs must be a table of name = "version"')
    if not isinstance(front.get("older", ""), str):
        problems.append("older must be a string")
    return problems


def read_page(path: str, lang: str) -> Page:
    from tmux_sensei.safefile import read_bytes

    try:
        raw, more = read_bytes(path, MAX_PAGE_BYTES)  # never a FIFO, never a symlink
        if more:
            raise PageError(f"{path}: larger than {MAX_PAGE_BYTES} bytes")
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PageError(f"{path}: cannot read ({exc})") from exc
    try:
        fm, body = split_front_matter(text)
        front = tomllib.loads(fm)
    except (PageError, tomllib.TOMLDecodeError) as exc:
        raise PageError(f"{path}: {exc}") from exc
    problems = front_matter_problems(front)
    if problems:
        raise PageError(f"{path}: " + "; ".join(problems))
    blocks, unsupported = parse_markdown(body)
    page_id = os.path.basename(path)[: -len(".md")]
    return Page(page_id, lang, path, front, body, blocks, unsupported)


def parse_markdown(body: str) -> tuple[list[Block], list[str]]:
    """Parse the body into blocks; also return the Markdown constructs we do not render."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(body)
    blocks: list[Block] = []
    unsupported: list[str] = []
    i = 0
    list_stack: list[tuple[Literal["ul", "ol"], list[str], int]] = []
    while i < len(tokens):
        tok = tokens[i]
        kind = tok.type
        if kind == "heading_open":
            blocks.append(("h", int(tok.tag[1:]), tokens[i + 1].content))
            i += 3
            continue
        if kind in ("bullet_list_open", "ordered_list_open"):
            if list_stack:
                unsupported.append("nested list")
            start = int(tok.attrGet("start") or 1) if kind == "ordered_list_open" else 0
            list_stack.append(("ul" if kind == "bullet_list_open" else "ol", [], start))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            typ, items, start = list_stack.pop()
            if not list_stack:
                blocks.append((typ, items) if typ == "ul" else (typ, items, start))
        elif kind == "inline" and list_stack:
            items = list_stack[-1][1]
            if tokens[i - 2].type == "list_item_open" or not items:
                items.append(tok.content)
            else:  # a second paragraph inside one item: join it to the item
                items[-1] = items[-1] + " " + tok.content
        elif kind == "paragraph_open" and not list_stack:
            blocks.append(("p", tokens[i + 1].content))
            i += 3
            continue
        elif kind in ("fence", "code_block"):
            blocks.append(("code", tok.info.strip(), tok.content.rstrip("\n")))
        elif kind in ("table_open", "html_block", "blockquote_open", "hr"):
            unsupported.append(kind.replace("_open", ""))
        i += 1
    for tok in tokens:
        if tok.type == "inline":
            for child in tok.children or []:
                if child.type in ("link_open", "image", "html_inline"):
                    unsupported.append(child.type.replace("_open", ""))
    return blocks, sorted(set(unsupported))


def load_pages(root: str, lang: str) -> list[Page]:
    return [read_page(p, lang) for p in page_files(root, lang)]
