"""The shapes of the plain data that flows between modules, for the type checker only.

Page blocks, answers and findings are plain tuples and dicts (the index cache stores blocks
with marshal; answers and findings are printed as JSON), so their shapes are written down here
as tuple types and TypedDicts. Everything is defined under TYPE_CHECKING: at run time this
module is empty and imports nothing, and the package imports it only under TYPE_CHECKING too
(`if TYPE_CHECKING: from tmux_sensei.shapes import Answer`), so it costs no start-up time.

Blocks (knowledge.parse_markdown; `inline` is Markdown source: code spans, **bold**):
    ("h", level, inline)      heading
    ("p", inline)             paragraph
    ("ul", [inline, ...])     bullet list
    ("ol", [inline, ...], n)  numbered list starting at n
    ("code", info, text)      fenced code block
The renderer also draws a finding among them ("f", status, summary, detail, fix): a
`ShownBlock`. mypy narrows a block by its tag (`if block[0] == "h":` gives a Heading), but not
through a variable (`kind = block[0]`), so test `block[0]` itself.

An Answer (ask.answer_question, ask.topic_answer; answer.answer_here adds this machine):
    {"lang", "confident", "parts": [Part], "closest": [Closest], "findings": [Finding],
     "related": [topic ids], "suggestions": [questions], "notes": [str],
     and only when there are some: "did_you_mean": [NameFix], "explain_hint": str}

A Finding (probes.base.finding, what every probe returns; doctor lists them):
    {"probe", "status" (ok|warn|problem|unknown), "summary", "detail", "fix"}
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal, NotRequired, TypeAlias, TypedDict, TypeVar

    # ---------------------------------------------------------------- blocks

    Heading: TypeAlias = tuple[Literal["h"], int, str]
    Paragraph: TypeAlias = tuple[Literal["p"], str]
    BulletList: TypeAlias = tuple[Literal["ul"], list[str]]
    NumberedList: TypeAlias = tuple[Literal["ol"], list[str], int]
    CodeBlock: TypeAlias = tuple[Literal["code"], str, str]
    Block: TypeAlias = Heading | Paragraph | BulletList | NumberedList | CodeBlock
    """One block of a page, as knowledge.parse_markdown makes it."""
    BlockT = TypeVar("BlockT", bound=Block)
    """For functions that hand back the blocks they were given (conversation.sections)."""

    Status: TypeAlias = Literal["ok", "warn", "problem", "unknown"]
    FindingBlock: TypeAlias = tuple[Literal["f"], str, str, str, str]
    """A finding among an answer's blocks: ("f", status, summary, detail, fix)."""
    ShownBlock: TypeAlias = Block | FindingBlock
    """What render.blocks_markdown and render.render_blocks draw."""

    # ---------------------------------------------------------------- findings

    class Finding(TypedDict):
        """What a probe found (probes.base.finding), in the answer's language, sanitised."""

        probe: str  # the probe's id ("server", "tmout"), or "all" for the REPL's all-clear
        status: Status
        summary: str  # one line
        detail: str  # lines, may be ""
        fix: str  # what to do, may be ""

    # ---------------------------------------------------------------- answers

    class Closest(TypedDict):
        """A topic an unsure answer offers instead."""

        topic: str
        title: str
        confidence: float

    class Part(TypedDict):
        """One answered topic: its page's blocks under its title."""

        topic: str
        title: str
        confidence: float
        blocks: list[Block]

    class NameFix(TypedDict):
        """A misspelt tmux name in the question, and the name it was taken to mean."""

        typed: str
        meant: str

    class Answer(TypedDict):
        """ask.answer_question's result, which every renderer and the REPL read."""

        lang: str
        confident: bool
        parts: list[Part]  # empty unless confident
        closest: list[Closest]  # when not confident: the nearest topics
        findings: list[Finding]  # this machine's probes for the parts' topics
        related: list[str]  # topic ids
        suggestions: list[str]  # titles to ask next
        notes: list[str]  # shown first (did you mean, the installed version)
        did_you_mean: NotRequired[list[NameFix]]
        explain_hint: NotRequired[str]
