"""Whether to answer, and with which pages: the search ranks, this decides.

How sure the search must be depends on whether the question is about tmux at all:
- STRONG: it names tmux, a word only tmux uses (its command and option names, `C-b`, TPM), one
  of tmux's messages, or panes (ペイン) without naming a terminal that has panes of its own.
  A tmux question deserves its best page on modest evidence.
- WEAK: only words tmux shares with other tools (session, window, detach, scroll, clipboard).
  The page must match well, and a question naming another program (git, docker, zellij, ssh)
  is about that program: declined, however well a page matches — unless it is nearly word for
  word a question a page lists (`questions`), which makes it that page's question.
The word lists live in knowledge/synonyms.toml and tmux-names.toml (`Index.mentions`).
- NONE: nothing of tmux's vocabulary: declined, whatever the score.
A quoted tmux message picks the page that owns it (front matter `errors`), whatever the ranking.
The runner-up joins the best page when it scores nearly as well and the question is long enough to
tell a story, so that a question between two pages gets both.
"""

from __future__ import annotations

from tmux_sensei.tokens import fold, tokenize

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.index import Hit, Index

NONE, WEAK, STRONG = 0, 1, 2
THRESHOLD = {STRONG: 0.25, WEAK: 0.5}
STORY_WORDS = 8  # a question this long tells a story, which may touch two pages
STANDS_ALONE = 0.65  # a follow-up this sure of its own page is a new question, not "that"
RUNNER_UP = 0.85  # share of the best page's score at which the second page is answered too
# A question that is, word for word, one a page lists ("ssh 先のホスト名をウィンドウ名に出したい")
# is that page's question, even when it names a neighbouring tool
ASKED_AS_LISTED = 0.85


class Evidence:
    __slots__ = ("level", "message_owner", "other_program", "words")

    def __init__(
        self, level: int, message_owner: str | None, other_program: bool, words: int = 0
    ) -> None:
        self.level = level
        self.message_owner = message_owner
        self.other_program = other_program
        self.words = words  # distinct search words: a short question names one concern


def names_tmux(folded: str, not_tmux: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
    """Whether the text names tmux other than to say it is not involved ("no tmux here",
    "without tmux", "tmuxは使ってない")."""
    before, after = not_tmux
    at = folded.find("tmux")
    while at >= 0:
        window = "".join(
            c if c.isalnum() or c == "'" else " " for c in folded[max(0, at - 24) : at]
        )
        raw = folded[max(0, at - 24) : at].rstrip()
        words = window.split()
        # "no screen/tmux", "without screen or tmux": the negation governs the whole list
        if raw.endswith(("/", ",", "&")):
            words = words[:-1]
        elif raw.endswith((" or", " nor")):
            words = words[:-2]
        pre = " " + " ".join(words[-3:]) + " "
        post = folded[at + 4 : at + 24].lstrip(" ")
        for particle in ("とかは", "とか", "は", "も", "や"):
            if post.startswith(particle):
                post = post[len(particle) :]
                break
        # "no tmux session", "no tmux.conf" speak of tmux's things, not of its absence
        word_after = post.startswith(("session", "server", "window", "pane", "conf", ".", "-"))
        # the negation must govern tmux itself ("without tmux", "not using tmux"): in
        # "italics not working in tmux" the "not" belongs to the problem, which is tmux's
        negated = (any(pre.endswith(f" {b} ") for b in before) and not word_after) or any(
            post.startswith(a) for a in after
        )
        if not negated:
            return True
        at = folded.find("tmux", at + 4)
    return False


def evidence(text: str, index: Index) -> Evidence:
    """What the question's own words say (before typo correction: "screenrc" is no typo)."""
    folded = fold(text)
    tokens = set(tokenize(text, index.synonyms))
    owner = None
    best = 0
    for message, topic in index.errors.items():
        if len(message) > best and message in folded:
            owner, best = topic, len(message)
    level = NONE
    panes = index.mentions("panes", folded, tokens)
    rival = index.mentions("rivals", folded, tokens)
    if (
        owner is not None
        or (panes and not rival)
        or names_tmux(folded, index.not_tmux)
        or index.mentions("tmux", folded, tokens)
    ):
        level = STRONG
    elif panes and rival:
        level = NONE  # the panes of iTerm2 or VS Code: a question about that program
    elif index.mentions("shared", folded, tokens):
        level = WEAK
    other = index.mentions("near", folded, tokens)
    return Evidence(level, owner, other, len({t for t in tokens if not t.startswith("~")}))


def choose(hits: list[Hit], ev: Evidence, index: Index) -> list[Hit]:
    """The pages to answer with, best first; [] to decline."""
    if ev.level == NONE or not hits:
        return []
    if ev.message_owner is not None and ev.message_owner in index.topics:
        owned = next((h for h in hits if h.topic == ev.message_owner), None)
        if owned is None:
            from tmux_sensei.index import Hit

            owned = Hit(ev.message_owner, hits[0].score, max(hits[0].confidence, 0.5), 0.0, 0.0)
        rest = [h for h in hits if h.topic != ev.message_owner]
        return (
            [owned, *rest[:1]] if rest and rest[0].score >= RUNNER_UP * hits[0].score else [owned]
        )
    if ev.level == WEAK and ev.other_program and hits[0].question_match < ASKED_AS_LISTED:
        return []  # "docker attach", "vim :split": about that tool, however well a page matches
    threshold = THRESHOLD[ev.level]
    best = hits[0]
    if best.confidence < threshold:
        return []
    chosen = [best]
    if len(hits) > 1 and ev.words >= STORY_WORDS:
        second = hits[1]
        if second.score >= RUNNER_UP * best.score and second.confidence >= threshold:
            chosen.append(second)
    return chosen


def stands_alone(text: str, index: Index) -> bool:
    """Whether a follow-up ("how do I stop that?") is a question of its own, or leans on the
    topic before it."""
    hits = index.search(text, limit=2)
    return bool(choose(hits, evidence(text, index), index)) and hits[0].confidence >= STANDS_ALONE
