"""From a question to an Answer: split it into parts, search each, and compose.

An Answer is plain data (a dict), so that the terminal, plain-text and JSON renderers, the REPL
and the tests all read the same thing (its type: shapes.Answer):

    {"lang", "confident", "parts": [{"topic", "title", "confidence", "blocks"}],
     "closest": [{"topic", "title", "confidence"}], "findings": [...],
     "related": [ids], "suggestions": [questions], "notes": [str]}
    and, only when there are some, "did_you_mean": [{"typed", "meant"}], "explain_hint": str
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from tmux_sensei.index import Hit, Index
    from tmux_sensei.shapes import Answer, Finding, Part

MAX_PARTS = 3

# Where one question turns into the next ("how do I split panes, and how do I detach?").
_EN_JOINS = (
    " and how ",
    " and what ",
    " and why ",
    " and where ",
    " and can ",
    " and is ",
    " and also ",
    " also, ",
    " plus ",
    ", and ",
)
_JA_JOINS = (
    "、あと",
    "。あと",
    "あと、",
    "それと",
    "、それから",
    "。それから",
    "。また",
    "、また、",
    "、そして",
)
_ENDS = ("?", "？", "。", "!", "！", "\n")


def split_parts(text: str) -> tuple[list[str], bool]:
    """Candidate parts of a question, and whether the asker joined them as separate questions
    ("?", "and how", "あと"), rather than as sentences that may only give context."""
    explicit = (
        any(q in text.rstrip(" ?？") for q in ("?", "？"))
        or any(j in text for j in _JA_JOINS)
        or any(j in text.lower() for j in _EN_JOINS)
    )
    pieces = [text]
    for sep in _ENDS + _JA_JOINS:
        pieces = [p for piece in pieces for p in piece.split(sep)]
    lowered: list[str] = []
    for piece in pieces:
        rest = " " + piece + " "
        for join in _EN_JOINS:
            low = rest.lower()
            at = low.find(join)
            while at >= 0:
                lowered.append(rest[:at])
                rest = " " + rest[at + len(join) :]
                low = rest.lower()
                at = low.find(join)
        lowered.append(rest)
    return [p.strip(" 、,") for p in lowered if len(p.strip(" 、,")) >= 4], explicit


def _part(index: Index, hit: Hit) -> Part:
    topic = index.topic(hit.topic)
    return {
        "topic": hit.topic,
        "title": topic["title"],
        "confidence": hit.confidence,
        "blocks": topic["blocks"],
    }


def version_note(
    index: Index, topic_id: str, installed: Callable[[], tuple[str, tuple[int, ...]] | None]
) -> str:
    """'Your tmux is 3.3a: previous, next need tmux 3.4 or later. <the older way>' — when a
    page names something newer than the tmux installed here. tmux is asked only then."""
    needs = index.topic(topic_id).get("needs") or {}
    if not needs:
        return ""
    found = installed()
    if found is None or not found[1]:
        return ""  # no tmux, or a version without numbers (openbsd-7.4): nothing to compare
    from tmux_sensei.probes.version import parse_version

    word, numbers = found
    newer = {name: v for name, v in needs.items() if parse_version(v)[1] > numbers}
    if not newer:
        return ""
    version = min(newer.values(), key=lambda v: parse_version(v)[1])
    names = ", ".join(f"`{n}`" for n in newer)
    template = index.strings.get("answer.version_note", "")
    return template.format(
        installed=word, names=names, version=version, older=index.topic(topic_id).get("older", "")
    ).strip()


def topic_answer(index: Index, topic_id: str) -> Answer:
    """The answer for one topic the user picked by name or number (no search)."""
    topic = index.topic(topic_id)
    related = [r for r in topic["related"] if r in index.topics and r != topic_id]
    return {
        "lang": index.lang,
        "confident": True,
        "parts": [
            {
                "topic": topic_id,
                "title": topic["title"],
                "confidence": 1.0,
                "blocks": topic["blocks"],
            }
        ],
        "closest": [],
        "findings": [],
        "related": related,
        "suggestions": [index.topic(r)["title"] for r in related[:3]],
        "notes": [],
    }


def answer_question(
    text: str,
    index: Index,
    *,
    diagnose: bool = False,
    run_probes: Callable[[list[str], str], list[Finding]] | None = None,
    installed_version: Callable[[], tuple[str, tuple[int, ...]] | None] | None = None,
    fix_names: Callable[[str], list[tuple[str, str]]] | None = None,
    search: Index | None = None,
) -> Answer:
    """`index` holds the pages in the answer's language; `search`, when given, is the index of
    the question's own language (`--lang ja "how do I detach?"` is searched in English and
    answered with the same topic in Japanese: every topic exists in both)."""
    search = search or index
    answer: Answer = {
        "lang": index.lang,
        "confident": False,
        "parts": [],
        "closest": [],
        "findings": [],
        "related": [],
        "suggestions": [],
        "notes": [],
    }
    if not index.ids:
        answer["notes"].append(index.strings.get("answer.empty_kb", ""))
        return answer
    for typed, meant in fix_names(text) if fix_names is not None else []:
        note = index.strings.get("answer.did_you_mean", "").format(typed=typed, meant=meant)
        answer["notes"].append(note)
        answer["did_you_mean"] = [*answer.get("did_you_mean", []), {"typed": typed, "meant": meant}]
        text = text.replace(typed, meant)
    from tmux_sensei.decision import choose, evidence

    tokens = search.query_tokens(text)
    ev = evidence(text, search)
    hits = [h for h in search.search(text, limit=5, tokens=tokens) if h.topic in index.topics]
    chosen: list[Hit] = []
    parts, explicit = split_parts(text)
    if len(parts) > 1 and ev.message_owner is None:
        # each part is judged with the whole question's evidence: "and how do I detach?" is
        # about tmux when the sentence before it said so
        part_best = [
            choose(search.search(p, limit=2), ev, search)[:1] for p in parts[: MAX_PARTS + 2]
        ]
        seen: set[str] = set()
        for found in part_best:
            if found and found[0].topic not in seen:
                seen.add(found[0].topic)
                chosen.append(found[0])
        whole = choose(hits, ev, search)
        # Sentences that may only give context ("I use mintty. The borders shift.") must not
        # turn one question into two: unless the asker joined them as questions, the parts
        # stand alone only if the whole question agrees with one of them.
        if len(chosen) < 2 or (not explicit and whole and whole[0].topic not in seen):
            chosen = []
        # The part that answers the question as a whole leads ("what is a session? and why did
        # mine vanish?" starts with why it vanished); the others follow in the asker's order.
        if hits:
            chosen.sort(key=lambda h: h.topic != hits[0].topic)
    if not chosen:
        chosen = choose(hits, ev, search)
    chosen = [h for h in chosen if h.topic in index.topics]
    if not chosen:
        answer["closest"] = [
            {"topic": h.topic, "title": index.topic(h.topic)["title"], "confidence": h.confidence}
            for h in hits[:3]
        ]
        answer["suggestions"] = [c["title"] for c in answer["closest"]]  # ask one of these
        return answer
    chosen = chosen[:MAX_PARTS]
    answer["confident"] = True
    answer["parts"] = [_part(index, h) for h in chosen]
    answered = {h.topic for h in chosen}
    related: list[str] = []
    for h in chosen:
        for rid in index.topic(h.topic)["related"]:
            if rid in index.topics and rid not in answered and rid not in related:
                related.append(rid)
    answer["related"] = related
    if "~config" in tokens and any("config" in index.topic(h.topic)["tags"] for h in chosen):
        # "my tmux.conf …": their own file can be read line by line against this tmux
        answer["explain_hint"] = index.strings.get("answer.explain_hint", "")
    answer["suggestions"] = [index.topic(r)["title"] for r in related[:3]]
    if diagnose and installed_version is not None:
        for part in answer["parts"]:
            note = version_note(index, part["topic"], installed_version)
            if note:  # after the short answer, which must still come first
                part["blocks"] = [*part["blocks"][:1], ("p", note), *part["blocks"][1:]]
    if diagnose and run_probes is not None:
        wanted: list[str] = []
        for h in chosen:
            wanted += [p for p in index.topic(h.topic)["probes"] if p not in wanted]
        answer["findings"] = run_probes(wanted, index.lang)
    return answer
