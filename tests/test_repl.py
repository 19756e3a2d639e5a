"""The conversation end to end: piped stdin, the REPL in a real terminal (a tmux pane), and
the popup plugin in a real tmux client attached to a server that loaded it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, end_servers, requires_tmux, sensei, tmux, wait_for

from tmux_sensei.conversation import Conversation, compact, follow_up_kind
from tmux_sensei.keys import KeyMap, rewrite_keys

# ---------------------------------------------------------------- pure parts


def test_follow_up_kinds() -> None:
    conv = Conversation("en")
    assert follow_up_kind("example?", conv) is None  # nothing to follow up yet
    conv.remember("detach-attach", [("p", "x")], [])
    assert follow_up_kind("example?", conv) == "example"
    assert follow_up_kind("例は？", conv) == "example"
    assert follow_up_kind("もっと詳しく", conv) == "more"
    assert follow_up_kind("それってどういうこと？", conv) == "meaning"
    assert follow_up_kind("how do I stop that from happening?", conv) == "context"
    assert follow_up_kind("じゃあ再起動したら？", conv) == "context"
    assert follow_up_kind("how do I enable mouse scrolling in copy mode?", conv) is None


def test_keys_are_rewritten_to_the_users_own() -> None:
    defaults = {"d": "detach-client", "%": "split-window -h", "z": "resize-pane -Z"}
    mine = {"e": "detach-client", "%": "split-window -h", "z": "resize-pane -Z"}
    keymap = KeyMap("C-a", mine, defaults)
    text = "Press `C-b d` (Ctrl+b, release, then d), then C-b %、C-b z で最大化 (C-b d)."
    assert (
        rewrite_keys(text, keymap)
        == "Press `C-a e` (Ctrl+a, release, then e), then C-a %、C-a z で最大化 (C-a e)."
    )
    assert not KeyMap("C-b", dict(defaults), defaults).differs
    assert rewrite_keys(text, KeyMap("C-b", dict(defaults), defaults)) == text


def test_compact_keeps_the_short_answer_and_the_steps() -> None:
    blocks = [
        ("p", "short"),
        ("h", 2, "Why"),
        ("p", "because"),
        ("h", 2, "What to do"),
        ("ol", ["step"], 1),
        ("h", 2, "Pitfalls"),
        ("p", "careful"),
    ]
    shown, rest = compact(blocks)
    assert shown == [("p", "short"), ("h", 2, "What to do"), ("ol", ["step"], 1)]
    assert ("p", "because") in rest and ("p", "careful") in rest


# ---------------------------------------------------------------- piped stdin


def test_piped_stdin_answers_each_line_and_skips_garbage() -> None:
    lines = (
        b"how do I detach?\n\nexample?\n"
        + b"\xff\xfe garbage\n"
        + "コピーモードから抜けたい\n".encode()
    )
    p = sensei(input=lines, timeout=60)
    out, err = p.stdout.decode(), p.stderr.decode()
    assert p.returncode == 0, err
    assert "C-b d" in out and "tmux attach" in out
    assert "q" in out and "コピーモード" in out
    assert "isn't text" in err
    assert "\x1b" not in out and "Traceback" not in err


def test_piped_quit_stops_reading() -> None:
    p = sensei(input=b"/quit\nhow do I detach?\n", timeout=60)
    assert p.returncode == 0 and b"C-b d" not in p.stdout


def test_piped_follow_up_uses_the_last_topic() -> None:
    p = sensei(input=b"what does remain-on-exit do?\nexample?\nmore\n", timeout=60)
    title = "# How do I keep a tmux pane open after its command finishes?"
    first, example, more = p.stdout.decode().split(title)[1:]
    # "example?" is the last topic's commands alone; "more" is what the first reply left out
    assert "```tmux" in example and "## What to do" not in example and "**" not in example
    assert "## Why" in more and "## Why" not in first


# ---------------------------------------------------------------- real terminals


@pytest.fixture
def sockets(tmp_path: Path) -> Iterator[list[str]]:
    """Names for private servers; each is ended, and its socket removed, afterwards."""
    names: list[str] = []
    yield names
    end_servers(*names)


def sensei_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(
        os.environ,
        TMUX_SENSEI_HOME=str(tmp_path / "home"),
        TMUX_SENSEI_PAGER="off",
        LANG="en_US.UTF-8",
        TERM="xterm-256color",
        **extra,
    )
    for key in ("TMUX", "TMUX_PANE", "LC_ALL", "LANGUAGE", "NO_COLOR"):
        env.pop(key, None)
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    return env


@requires_tmux
def test_repl_in_a_terminal_with_resize_to_40_columns(tmp_path: Path, sockets: list[str]) -> None:
    sock = f"sensei-repl-{secrets.token_hex(3)}"
    sockets.append(sock)
    env = sensei_env(tmp_path)
    conf = tmp_path / "tmux.conf"
    conf.write_text("set -g default-shell /bin/sh\nset -g status off\n")
    cmd = f"{sys.executable} -m tmux_sensei"
    subprocess.run(
        ["tmux", "-L", sock, "-f", str(conf), "new-session", "-d", "-x", "80", "-y", "30", cmd],
        env=env,
        check=True,
        timeout=10,
        cwd=REPO,
    )
    screen = lambda: tmux(sock, "capture-pane", "-p", "-S", "-")  # noqa: E731
    assert wait_for(lambda: "tmux?" in screen()), screen()
    assert "Ask me anything" in screen() and "Ctrl-D" in screen()
    tmux(sock, "resize-window", "-x", "40", "-y", "30")
    tmux(sock, "send-keys", "-l", "how do I detach?")
    tmux(sock, "send-keys", "Enter")
    assert wait_for(lambda: "tmux attach" in screen()), screen()
    text = screen()
    assert "C-b d" in text
    assert all(len(line) <= 40 for line in text.splitlines())
    # Ctrl-C clears the line and keeps the conversation; /lang switches
    tmux(sock, "send-keys", "-l", "half a question")
    tmux(sock, "send-keys", "C-c")
    tmux(sock, "send-keys", "-l", "/lang ja")
    tmux(sock, "send-keys", "Enter")
    assert wait_for(lambda: "日本語で答える" in screen()), screen()
    # ... and the answers follow: the same English question now gets the Japanese page
    assert "デタッチ" not in screen()
    tmux(sock, "send-keys", "-l", "how do I detach?")
    tmux(sock, "send-keys", "Enter")
    assert wait_for(lambda: "デタッチ" in screen()), screen()
    tmux(sock, "send-keys", "C-d")
    assert wait_for(lambda: sock not in tmux(sock, "ls") or tmux(sock, "ls") == ""), screen()


@requires_tmux
def test_popup_plugin_end_to_end(tmp_path: Path, sockets: list[str]) -> None:
    inner = f"sensei-inner-{secrets.token_hex(3)}"
    outer = f"sensei-outer-{secrets.token_hex(3)}"
    sockets += [outer, inner]
    env = sensei_env(tmp_path)
    inner_conf = tmp_path / "inner.conf"
    inner_conf.write_text(
        "set -g default-shell /bin/sh\n"
        "set -g prefix C-a\nunbind C-b\nbind C-a send-prefix\n"  # not the default prefix
        "unbind d\nbind e detach-client\n"  # and detach moved to another key
        f"set -g @sensei-command '{sys.executable} -m tmux_sensei'\n"
        f"run-shell '{REPO / 'tmux-sensei.tmux'}'\n"
    )
    outer_conf = tmp_path / "outer.conf"
    outer_conf.write_text("set -g default-shell /bin/sh\nset -g status off\nset -g prefix C-q\n")
    subprocess.run(
        [
            "tmux",
            "-L",
            inner,
            "-f",
            str(inner_conf),
            "new-session",
            "-d",
            "-s",
            "main",
            "-c",
            str(REPO),
        ],
        env=env,
        check=True,
        timeout=10,
    )
    bound = tmux(inner, "list-keys", "-T", "prefix", "T")
    assert "display-popup" in bound, bound
    # the outer server's pane is the terminal of a real client attached to the inner server
    subprocess.run(
        [
            "tmux",
            "-L",
            outer,
            "-f",
            str(outer_conf),
            "new-session",
            "-d",
            "-x",
            "100",
            "-y",
            "40",
            f"tmux -L {inner} attach -t main",
        ],
        env=env,
        check=True,
        timeout=10,
    )
    screen = lambda: tmux(outer, "capture-pane", "-p")  # noqa: E731  (the popup is on screen)
    assert wait_for(lambda: tmux(inner, "list-clients") != ""), "the inner client did not attach"

    tmux(outer, "send-keys", "C-a", "T")  # prefix + T, as a user presses it
    assert wait_for(lambda: "tmux?" in screen()), screen()
    text = screen()
    assert "Ask me anything" in text
    assert "Your prefix is C-a" in text  # it knows it runs in tmux, with this user's keys

    tmux(outer, "send-keys", "-l", "how do I detach?")
    tmux(outer, "send-keys", "Enter")
    assert wait_for(lambda: "tmux attach" in screen()), screen()
    assert "C-a e" in screen() and "C-b d" not in screen() and "C-a d" not in screen()

    tmux(outer, "send-keys", "-l", "なぜ放置してたらセッションが消えたの？")
    tmux(outer, "send-keys", "Enter")
    assert wait_for(lambda: "TMOUT" in screen()), screen()

    tmux(outer, "send-keys", "-l", "それってどういうこと？")
    tmux(outer, "send-keys", "Enter")
    assert wait_for(lambda: "なぜ？" in screen()), screen()

    # Ctrl-D closes the popup; a key pressed while the answer is still being drawn can arrive
    # before the prompt is back, so press it again as a person would
    tmux(outer, "send-keys", "C-d")
    if not wait_for(lambda: "tmux?" not in screen(), 5):
        tmux(outer, "send-keys", "C-d")
    assert wait_for(lambda: "tmux?" not in screen()), screen()
    assert tmux(inner, "ls").startswith("main:")  # closing the popup touched nothing else


def test_setup_prints_and_applies_with_a_backup(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    conf = home / ".tmux.conf"
    conf.write_text("set -g mouse on\n")
    env = dict(os.environ, HOME=str(home))
    env.pop("XDG_CONFIG_HOME", None)
    p = sensei("setup", env=env)
    assert p.returncode == 0 and b"run-shell" in p.stdout and b"tmux-sensei.tmux" in p.stdout
    assert conf.read_text() == "set -g mouse on\n"  # printing changes nothing
    p = sensei("setup", "--apply", env=env)  # no terminal to ask and no --yes: refused
    assert p.returncode == 1 and conf.read_text() == "set -g mouse on\n"
    p = sensei("setup", "--apply", "--yes", env=env)
    assert p.returncode == 0, p.stderr
    text = conf.read_text()
    assert text.startswith("set -g mouse on\n") and "run-shell" in text
    backups = list(home.glob(".tmux.conf.bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == "set -g mouse on\n"
    p = sensei("setup", "--apply", "--yes", env=env)
    assert b"already" in p.stdout and conf.read_text() == text


def test_piped_number_picks_one_of_the_closest_topics() -> None:
    """After "I'm not sure", typing 2 answers the second topic offered, not a new question."""
    p = sensei(input=b"kubernetes helm chart values override\n2\n", timeout=60)
    out = p.stdout.decode()
    offered = [line[3:] for line in out.splitlines() if line.startswith("2. ")]
    assert offered, out
    assert f"# {offered[0]}" in out  # the second reply is that topic's page


def test_keys_in_ui_lines_follow_the_users_prefix() -> None:
    """The lines /learn and learn print inside tmux ("switch to it with C-a n") are not
    hard-coded: locales hold {split}/{next}, filled with the user's own key."""
    from tmux_sensei.keys import KeyMap, press
    from tmux_sensei.locales import strings_for

    mine = KeyMap(
        "C-a",
        {"n": "next-window", "|": "split-window -h"},
        {"n": "next-window", "%": "split-window -h"},
    )
    assert (
        press(mine, "n") == "C-a n" and press(mine, "%") == "C-a |" and press(None, "%") == "C-b %"
    )
    for lang in ("en", "ja"):
        strings = strings_for(lang)
        assert "C-b" not in strings["learn.opened"] + strings["learn.attach_inside"]
        assert "C-a n" in strings["learn.opened"].format(next=press(mine, "n"))


@requires_tmux
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_repl_stop_that_shows_the_fixes_not_the_answer_again(
    tmp_path: Path, sockets: list[str], lang: str
) -> None:
    """In a real terminal: "how do I stop that?" after an answer shows the page's causes and
    fixes the first reply left out, under the page's title, not the short answer again."""
    from test_conversation import (
        FOLLOW_UPS,
        VANISHED,
        conversation,
        fix_sections,
        say,
        short_answer,
    )

    state = conversation()  # what the page says, read in process
    first_reply = say(state, VANISHED[lang])
    topic = state.conv.last_topic
    assert topic is not None
    index = state.indexes.get(lang)
    short = short_answer(index, topic)
    fixes = fix_sections(index, topic)[0]
    heading = fixes[0][2]
    # a command the fixes name that the first reply did not show (wrapping never cuts one)
    items = fixes[1][1] if fixes[1][0] in ("ol", "ul") else [fixes[1][-1]]
    spans = [code for item in items for code in item.split("`")[1::2]]
    commands = [c for c in spans if len(c) >= 6 and c not in first_reply]
    assert commands, fixes

    sock = f"sensei-stop-{secrets.token_hex(3)}"
    sockets.append(sock)
    conf = tmp_path / "tmux.conf"
    conf.write_text("set -g default-shell /bin/sh\nset -g status off\n")
    cmd = f"{sys.executable} -m tmux_sensei"
    subprocess.run(
        ["tmux", "-L", sock, "-f", str(conf), "new-session", "-d", "-x", "80", "-y", "30", cmd],
        env=sensei_env(tmp_path),
        check=True,
        timeout=10,
        cwd=REPO,
    )
    screen = lambda: tmux(sock, "capture-pane", "-p", "-S", "-")  # noqa: E731
    prompts = lambda: sum(line.startswith("tmux?") for line in screen().splitlines())  # noqa: E731
    assert wait_for(lambda: prompts() == 1), screen()
    start = short[:30] if lang == "en" else short[:15]  # on the paragraph's first line
    for n, line in enumerate((VANISHED[lang], FOLLOW_UPS[lang][0]), 2):
        tmux(sock, "send-keys", "-l", line)
        tmux(sock, "send-keys", "Enter")
        assert wait_for(lambda n=n: prompts() == n), screen()  # type: ignore[misc]
    text = screen()
    assert text.count(start) == 1, text  # the first reply's, and only that one
    assert heading in text and commands[0] in text, text
    assert text.count(index.topic(topic)["title"]) == 2, text  # each reply under the title
