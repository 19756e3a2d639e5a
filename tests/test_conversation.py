"""A follow-up that refers back ("how do I stop that?", 「それを防ぐには？」) keeps the
conversation's promise: it is searched with the last topic and, when it lands there again, it
answers with what the page says to do that the user has not seen yet, never the short answer
again; landing elsewhere, it answers that one topic. In process for every topic, and end to end
through the piped conversation."""

from __future__ import annotations

import io
import os
import re
from typing import Any

import pytest
from conftest import sensei

from tmux_sensei.ask import split_parts
from tmux_sensei.conversation import Conversation, compact, fix_blocks, leaning_query
from tmux_sensei.env import Env
from tmux_sensei.index import Index
from tmux_sensei.loader import open_index
from tmux_sensei.repl import ReplState, handle

FOLLOW_UPS = {
    "en": ("how do I stop that?", "how do I prevent that?"),
    "ja": ("それを防ぐには？", "じゃあどうすれば止められる？"),
}
VANISHED = {"en": "why did my tmux session vanish?", "ja": "なぜ放置してたらセッションが消えたの？"}


def environ() -> dict[str, str]:
    env = dict(os.environ)  # TMUX_SENSEI_HOME is private to the test (conftest)
    for key in ("TMUX", "TMUX_PANE"):  # never read the developer's own tmux
        env.pop(key, None)
    return env


def short_answer(index: Index, topic: str) -> str:
    """The page's bold first sentence: the short answer the first reply shows."""
    found = re.match(r"\*\*(.+?)\*\*", index.topic(topic)["blocks"][0][1])
    assert found, topic
    return found.group(1)


def fix_sections(index: Index, topic: str) -> list[list[Any]]:
    """The page's sections after its explanation and its steps (causes and fixes, pitfalls),
    each heading first: what a first reply leaves out that acts on the problem."""
    parts: list[list[Any]] = []
    for block in index.topic(topic)["blocks"]:
        if block[0] == "h" and block[1] == 2:
            parts.append([])
        if parts:
            parts[-1].append(block)
    return parts[2:]


def first_line(block: Any) -> str:
    """A paragraph's text, a list's first item, a code block's first line."""
    if block[0] in ("ol", "ul"):
        return str(block[1][0])
    return str(block[-1]).splitlines()[0]


def topic_headings(reply: str, index: Index) -> list[str]:
    """The topics a reply shows, by their title headings."""
    titles = {f"# {index.topic(t)['title']}": t for t in index.ids}
    return [titles[line] for line in reply.splitlines() if line in titles]


def conversation() -> ReplState:
    state = ReplState(Env(io.StringIO(), io.StringIO(), environ(), False))
    state.diagnose = False
    return state


def say(state: ReplState, line: str) -> str:
    out, go_on = handle(line, state, 0, False)
    assert go_on
    return out


# ---------------------------------------------------------------- pure parts

PAGE = [
    ("p", "**short.** more"),
    ("h", 2, "Why"),
    ("p", "because"),
    ("h", 2, "What to do"),
    ("ol", ["step"], 1),
    ("h", 2, "Usual causes"),
    ("ul", ["cause: fix"]),
    ("h", 2, "Pitfalls"),
    ("p", "careful"),
]


def test_fix_blocks_are_the_unseen_sections_that_act_on_the_problem() -> None:
    conv = Conversation("en")
    _shown, rest = compact(PAGE)
    conv.remember("t", PAGE, rest)
    fixes = fix_blocks(conv)
    assert fixes == PAGE[5:]  # neither the short answer, nor the steps, nor the why
    conv.mark_seen(fixes)
    assert fix_blocks(conv) == [] and conv.unseen == PAGE[1:3]  # "more" still has the why
    conv.remember("t", PAGE, [])  # the whole page was shown: nothing left to add
    assert fix_blocks(conv) == []


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_follow_up_with_the_last_title_is_one_question(lang: str) -> None:
    """Glued to a title ("…, and how do I…?"), the follow-up must not be split into questions
    of their own: each would be answered, the old topic beside the new."""
    index = open_index(lang, environ())
    for topic in index.ids:
        title = index.topic(topic)["title"]
        for text in FOLLOW_UPS[lang]:
            parts, _ = split_parts(leaning_query(text, title))
            assert len(parts) == 1, (topic, parts)


# ---------------------------------------------------------------- every topic, in process


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_refer_back_never_repeats_the_answer_for_any_topic(lang: str) -> None:
    state = conversation()
    index = state.indexes.get(lang)
    landed = {"fixes": 0, "all shown": 0, "elsewhere": 0}
    for topic in index.ids:
        state.conv.clear()
        state.conv.offered = []
        say(state, index.topic(topic)["title"])
        last = state.conv.last_topic
        if last is None or state.conv.lang != lang:
            continue  # not answered, or answered in the other language: not this test's case
        second = say(state, FOLLOW_UPS[lang][0])
        assert short_answer(index, last) not in second, (topic, second)
        shown = topic_headings(second, index)
        assert len(shown) == 1, (topic, shown)  # one topic, never two glued together
        if shown[0] != last:
            landed["elsewhere"] += 1
        elif index.strings["repl.all_shown"] in second:
            landed["all shown"] += 1
        else:
            unseen = [part[0][2] for part in fix_sections(index, last)]
            assert any(f"## {h}" in second for h in unseen), (topic, second)
            landed["fixes"] += 1
    # most pages have sections past their steps, and a follow-up mostly stays on its topic
    assert landed["fixes"] > 100, landed


def test_meaning_then_more_does_not_repeat_the_why() -> None:
    state = conversation()
    say(state, "what does remain-on-exit do?")
    why = say(state, "what does that mean?")
    more = say(state, "more")
    assert "## Why" in why and "## Why" not in more and "## " in more


@pytest.mark.parametrize(
    ("question", "more"),
    [("what does remain-on-exit do?", "more"), ("remain-on-exit って何をするの？", "もっと詳しく")],
)
def test_more_after_the_whole_page_says_so_instead_of_repeating_it(
    question: str, more: str
) -> None:
    state = conversation()
    say(state, question)
    rest = say(state, more)
    again = say(state, more)
    index = state.indexes.get(state.conv.lang)
    assert "## " in rest
    assert "## " not in again and index.strings["repl.all_said"] in again
    assert state.conv.offered  # the related topics, by number


# ---------------------------------------------------------------- the piped conversation


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_piped_stop_that_gives_the_fixes_not_the_answer_again(lang: str) -> None:
    first_q, then = VANISHED[lang], FOLLOW_UPS[lang]
    lines = [first_q, then[0], then[1], "2"]
    p = sensei(input="\n".join(lines).encode() + b"\n", timeout=60)
    out = p.stdout.decode()
    assert p.returncode == 0, p.stderr.decode()

    state = conversation()  # which page the first question lands on, and what it says
    say(state, first_q)
    topic = state.conv.last_topic
    assert topic is not None
    index = state.indexes.get(lang)
    title, short = index.topic(topic)["title"], short_answer(index, topic)
    first, second, rest = out.split(f"# {title}\n")[1:4]

    assert short in first
    # the second reply: the page's causes and fixes, under the page's title, never its answer
    fixes = fix_sections(index, topic)[0]
    assert f"## {fixes[0][2]}" in second and first_line(fixes[1]) in second
    assert short not in second and "## " + index.topic(topic)["blocks"][1][2] not in second
    assert topic_headings(second, index) == []  # no other page glued on
    # asked again, nothing new is left: it says so and offers the related topics, numbered
    offered = [line[3:] for line in rest.splitlines() if line.startswith("2. ")]
    assert offered, rest
    third, fourth = rest.split(f"# {offered[0]}\n")
    assert index.strings["repl.all_shown"] in third and short not in third
    assert short_answer(index, topic_headings(f"# {offered[0]}", index)[0]) in fourth
