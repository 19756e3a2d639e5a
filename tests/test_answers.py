"""Answers as a user sees them: the source dialogue's three questions, parts, honesty, JSON."""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
from pathlib import Path

import pytest

from tmux_sensei.cli import Env, main


def ask(*args: str, environ: dict[str, str] | None = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["ask", "--json", "--no-diagnose", *args], Env(out, err, environ or dict(os.environ), False)
    )
    assert "Traceback" not in err.getvalue()
    return code, json.loads(out.getvalue())


DIALOGUE = [
    # (question, expected topic)
    (
        "Can tmux keep my bash session alive after I close the terminal? How does that work?",
        "how-tmux-keeps-work",
    ),
    ("tmux で bash のセッションを永続化できるの？どういう仕組み？", "how-tmux-keeps-work"),
    ("When does the tmux server exit?", "server-lifetime"),
    ("tmux のサーバーはどんなときに終了するの？", "server-lifetime"),
    (
        "I left my session idle and when I came back it said [exited]. Was it overloaded?",
        "session-vanished",
    ),
    ("放置してたらセッションが [exited] で消えてた。負荷のせい？", "session-vanished"),
]


@pytest.mark.parametrize(("question", "topic"), DIALOGUE)
def test_source_dialogue_questions(question: str, topic: str) -> None:
    code, doc = ask(question)
    assert code == 0
    assert doc["lang"] == ("ja" if any(ord(c) > 0x3000 for c in question) else "en")
    assert doc["answers"][0]["topic"] == topic
    text = doc["text"]
    assert "Tinus" not in text  # the dialogue's invented tool never appears


def test_vanished_session_names_the_real_causes_and_corrects_overload() -> None:
    for q in (
        "why did my tmux session exit while I was away?",
        "なぜ放置してたらセッションが消えたの？",
    ):
        _, doc = ask(q)
        text = doc["text"]
        assert "TMOUT" in text and "KillUserProcesses" in text
        assert "remain-on-exit" in text or "OOM" in text


def test_detach_on_destroy_is_explained_as_it_really_works() -> None:
    for q, lang in (
        ("what does detach-on-destroy off do?", "en"),
        ("detach-on-destroy を off にするとどうなる？", "ja"),
    ):
        _, doc = ask(q)
        assert doc["lang"] == lang
        assert doc["answers"][0]["topic"] == "detach-on-destroy"
        assert "remain-on-exit" in doc["text"]  # the way to actually keep dead panes


def test_keep_dead_panes_points_to_remain_on_exit() -> None:
    for q in (
        "how do I keep a pane open after its command finishes?",
        "コマンドが終わってもペインを残したい",
    ):
        _, doc = ask(q)
        assert doc["answers"][0]["topic"] == "remain-on-exit"
        assert "set -g remain-on-exit" in doc["text"]


def test_two_part_question_gets_both_parts() -> None:
    code, doc = ask("how do I split panes, and how do I detach?")
    assert code == 0
    topics = [a["topic"] for a in doc["answers"]]
    assert topics[:2] == ["panes", "detach-attach"]
    code, doc = ask("ペインを左右に分割するには？あと、デタッチのやり方も教えて")
    assert [a["topic"] for a in doc["answers"]][:2] == ["panes", "detach-attach"]


def test_unrelated_question_is_declined_honestly() -> None:
    for q in ("what is the best recipe for banana bread?", "おいしいカレーの作り方を教えて"):
        code, doc = ask(q)
        assert code == 1
        assert doc["answers"] == [] and doc["confident"] is False
        assert 1 <= len(doc["closest"]) <= 3  # the closest there are, never more than three
        assert doc["text"].strip()


def test_lang_flag_overrides_the_question() -> None:
    _, doc = ask("--lang", "ja", "how do I detach?")
    assert doc["lang"] == "ja" and "デタッチ" in doc["text"]


def test_undetermined_text_follows_the_locale() -> None:
    env = dict(os.environ, LANG="ja_JP.UTF-8")
    env.pop("LC_ALL", None)
    _, doc = ask("escape-time", environ=env)
    assert doc["lang"] == "ja"
    env = dict(os.environ, LANG="C", LANGUAGE="ja")
    _, doc = ask("escape-time", environ=env)
    assert doc["lang"] == "en"  # LANGUAGE counts only under a real locale


def test_json_keys_are_stable() -> None:
    _, doc = ask("how do I detach?")
    assert {"lang", "text", "answers", "findings", "related", "suggestions"} <= set(doc)
    answer = doc["answers"][0]
    assert set(answer) == {"topic", "title", "confidence", "text"}
    assert 0 < answer["confidence"] <= 1
    assert doc["suggestions"] and all(isinstance(s, str) for s in doc["suggestions"])
    assert all(r for r in doc["related"])


def test_typo_is_forgiven() -> None:
    _, doc = ask("how to detatch from a tmux seesion")
    assert doc["answers"][0]["topic"] == "detach-attach"


@pytest.mark.parametrize(
    ("flag", "question"),
    [("ja", "how do I detach from tmux?"), ("en", "tmux からデタッチするには？")],
)
def test_lang_flag_shows_the_same_topic_in_the_asked_language(flag: str, question: str) -> None:
    """--lang searches in the question's own language and shows that topic in the other one."""
    code, doc = ask("--lang", flag, question)
    _, plain = ask(question)
    assert code == 0 and doc["lang"] == flag
    assert doc["answers"][0]["topic"] == plain["answers"][0]["topic"] == "detach-attach"


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("my status bar shows 日本語 as underscores, why?", "en"),
        ("`tmux ls` で no server running on /tmp/tmux-1000/default と出る", "ja"),
        ("sessions should be nested with care, unset $TMUX to force って言われた", "ja"),
    ],
)
def test_answer_language_follows_the_askers_own_words(question: str, lang: str) -> None:
    _, doc = ask(question)
    assert doc["lang"] == lang


@pytest.mark.parametrize(
    "question",
    [
        "How do I undo my last commit but keep the changes staged?",
        "docker attach でコンテナに入ったあと、止めずに抜けるには？",
        "In vim, :split opens the new window above. How do I make splits open below?",
        "nohupで動かしたプロセスがログアウトで消えた（tmuxは使ってない）",
    ],
)
def test_near_domain_questions_are_declined(question: str) -> None:
    code, doc = ask(question)
    assert code == 1 and doc["answers"] == [] and doc["closest"], doc


def test_a_pasted_message_picks_the_page_that_owns_it() -> None:
    code, doc = ask(
        "what does this mean: sessions should be nested with care, unset $TMUX to force"
    )
    assert code == 0 and doc["answers"][0]["topic"] == "nested-tmux"


def test_a_japanese_story_is_one_question() -> None:
    """'…切れて、…無くなってた' joins the sentences of one story; it is not two questions."""
    story = "tmux を使ってたら ssh が切れて、再接続したらセッションが無くなってた。なんで？"
    code, doc = ask(story)
    assert code == 0 and doc["answers"][0]["topic"] in ("ssh-disconnect", "session-vanished")


def test_answers_about_my_config_point_to_explain() -> None:
    _, doc = ask("my tmux.conf says invalid option: mode-mouse, what is wrong with it?")
    assert "tmux-sensei explain" in doc["text"]
    _, doc = ask("how do I detach from tmux?")
    assert "tmux-sensei explain" not in doc["text"]


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_ask_inside_tmux_writes_the_users_own_prefix() -> None:
    """`ask` run in a pane of a tmux whose prefix is C-a says "C-a d", as the popup does."""
    from conftest import end_servers, tmux

    sock = f"sensei-ask-keys-{secrets.token_hex(3)}"
    try:
        tmux(sock, "-f", "/dev/null", "new-session", "-d", "-s", "main")
        tmux(sock, "set", "-g", "prefix", "C-a")
        path = tmux(sock, "display", "-p", "#{socket_path},#{pid},0").strip()
        _, doc = ask("how do I detach from tmux?", environ=dict(os.environ, TMUX=path))
        text = doc["answers"][0]["text"]
        assert "C-a d" in text and "C-b d" not in text, text[:400]
        _, doc = ask("what is the tmux prefix key?", environ=dict(os.environ, TMUX=path))
        assert "(Ctrl+a)" not in doc["text"], doc["text"][:400]  # never "C-b (Ctrl+a)"
        _, outside = ask("how do I detach from tmux?", environ={**os.environ, "TMUX": ""})
        assert "C-b d" in outside["answers"][0]["text"]
    finally:
        end_servers(sock)


@pytest.mark.parametrize(
    "question",
    [
        "what is a tmux session? and why did mine vanish overnight while I was away?",
        "tmux のセッションってそもそも何？あと、放置してたセッションが消えたのはなぜ？",
    ],
)
def test_the_part_answering_the_whole_question_leads(question: str) -> None:
    """A multi-part answer starts with the part the question as a whole is about (why the
    session vanished), not with the definition asked on the way."""
    code, doc = ask(question)
    assert code == 0 and len(doc["answers"]) >= 2
    assert doc["answers"][0]["topic"] == "session-vanished"


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("what is tmux?", "what-is-tmux"),
        ("tmux とは？", "what-is-tmux"),
        ("tmuxって何？", "what-is-tmux"),
        ("ペインって何？", "sessions-windows-panes"),
        ("tmux session vs window vs pane?", "sessions-windows-panes"),
    ],
)
def test_a_beginners_what_is_question_gets_the_page_that_defines_it(
    question: str, topic: str
) -> None:
    """ "What is …" asks for a definition: the page whose title asks it that way, not a page
    that merely mentions the word (each of these went to a troubleshooting page before)."""
    code, doc = ask(question)
    assert code == 0
    assert doc["answers"][0]["topic"] == topic


@pytest.mark.parametrize(
    ("question", "about_tmux"),
    [
        ("italics not working in tmux", True),
        ("mouse wheel doesn't work in tmux anymore", True),
        ("I'm not using tmux: how do I keep a job running after logout?", False),
        ("without screen or tmux, how do I keep a job running after logout?", False),
        ("podman containers stop at logout (no screen/tmux on this box)", False),
    ],
)
def test_a_not_names_tmux_absent_only_when_it_governs_tmux(question: str, about_tmux: bool) -> None:
    """ "not working in tmux" is a tmux problem; "not using tmux", "no screen/tmux" say tmux
    is not involved (the negation of a list covers each item)."""
    from tmux_sensei.decision import names_tmux
    from tmux_sensei.loader import open_index
    from tmux_sensei.tokens import fold

    index = open_index("en", dict(os.environ))
    assert names_tmux(fold(question), index.not_tmux) is about_tmux


def test_a_question_a_page_lists_is_answered_even_when_it_names_another_tool() -> None:
    """Naming ssh or vim alongside only words tmux shares ("window", "copy mode") makes a question
    about that tool and it is declined — unless it is, near enough word for word, a question a
    page lists: then it is that page's question."""
    import tomllib

    from tmux_sensei.decision import WEAK, choose, evidence
    from tmux_sensei.loader import open_index
    from tmux_sensei.paths import data_dir

    checked, missed = 0, []
    for lang in ("en", "ja"):
        index = open_index(lang, dict(os.environ))
        for topic in index.topics:
            text = Path(data_dir("knowledge"), lang, f"{topic}.md").read_text("utf-8")
            for question in tomllib.loads(text.split("+++")[1])["questions"]:
                ev = evidence(question, index)
                if ev.level != WEAK or not ev.other_program:
                    continue
                checked += 1
                chosen = [h.topic for h in choose(index.search(question), ev, index)]
                if topic not in chosen:
                    missed.append((topic, question, chosen))
    assert checked >= 20, checked  # the knowledge base does list such questions
    assert not missed, missed


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("why did my tmux session vanish?", "session-vanished"),
        ("why did my tmux sessions vanish on WSL?", "wsl"),
        ("tmux のセッションが消えたのはなぜ？", "session-vanished"),
    ],
)
def test_a_page_about_one_platform_leads_only_when_the_question_names_it(
    question: str, first: str
) -> None:
    """The WSL page's title says "sessions vanish … on WSL": a question that doesn't name WSL is
    about sessions vanishing anywhere, and the general page leads."""
    code, doc = ask(question)
    topics = [a["topic"] for a in doc["answers"]]
    assert code == 0 and topics[0] == first, topics
