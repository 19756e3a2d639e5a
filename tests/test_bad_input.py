"""Bad input gets an answer or one clear line, an exit code of 0, 1 or 2, never a traceback."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import sensei


def check_clean(p, codes=(0, 1, 2)) -> str:  # type: ignore[no-untyped-def]
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode in codes, (p.returncode, err)
    assert "Traceback" not in err
    assert b"\x1b" not in p.stderr
    return err


def test_empty_question_is_a_usage_error() -> None:
    p = sensei("ask", "--no-diagnose", "")
    err = check_clean(p, (2,))
    assert "tmux-sensei ask" in err and len(err.strip().splitlines()) == 1
    assert p.stdout == b""


def test_blank_question_and_no_words() -> None:
    for args in (["ask", "   \t "], ["ask"], ["ask", "--json"]):
        p = sensei(*args)
        check_clean(p, (2,))


def test_huge_question_is_read_in_part_and_answered_fast() -> None:
    # one argv string may hold at most 128 KiB on Linux, so 200 KB arrive as several words
    words = ["why did my tmux session disappear while idle?"] + ["x" * 50_000] * 4
    p = sensei("ask", "--no-diagnose", "--json", *words, timeout=20)
    err = check_clean(p, (0, 1))
    assert "2000" in err  # says it read only the first characters
    doc = json.loads(p.stdout)
    assert doc["lang"] == "en"


def test_escape_sequences_never_reach_the_terminal() -> None:
    evil = "how do I detach\x1b]52;c;ZXZpbA==\x07 \x1b[2J\x1b[31m from tmux\x9b1;1H\x07?"
    for extra in ([], ["--json"]):
        p = sensei("ask", "--no-diagnose", *extra, evil)
        check_clean(p, (0, 1))
        assert b"\x1b" not in p.stdout and b"\x9b" not in p.stdout and b"\x07" not in p.stdout
    doc = json.loads(sensei("ask", "--no-diagnose", "--json", evil).stdout)
    assert doc["answers"][0]["topic"] == "detach-attach"


def test_escape_in_an_unknown_option_is_not_echoed() -> None:
    p = sensei("ask", "--bogus\x1b[2J")
    err = check_clean(p, (2,))  # no ESC byte reached stderr
    # the option is named, without the escape sequence's printable tail ("[2J") either
    assert "'--bogus'" in err and "[2J" not in err, err


def test_invalid_utf8_in_argv() -> None:
    p = sensei("ask", "--no-diagnose", b"how do I detach \xff\xfe from tmux")
    err = check_clean(p, (0, 1))
    assert "UTF-8" in err
    assert p.stdout.decode("utf-8")  # our output stays valid UTF-8


def test_only_invalid_bytes() -> None:
    p = sensei("ask", b"\xff\xfe\xfd")
    check_clean(p, (2,))


def test_unknown_lang_and_subcommand_and_option() -> None:
    assert "en" in check_clean(sensei("ask", "--lang", "fr", "hi"), (2,))
    assert check_clean(sensei("ask", "--lang"), (2,))
    assert "bogus" in check_clean(sensei("bogus"), (2,))
    assert check_clean(sensei("ask", "--frobnicate", "detach"), (2,))
    assert check_clean(sensei("kb", "frob"), (2,))


def test_lang_c_still_answers_japanese() -> None:
    env = dict(os.environ, LANG="C", LC_ALL="C")
    env.pop("LANGUAGE", None)
    p = sensei("ask", "--no-diagnose", "デタッチするには？", env=env)
    check_clean(p, (0,))
    assert "C-b d" in p.stdout.decode("utf-8")


def test_lang_c_error_messages_are_english() -> None:
    env = dict(os.environ, LANG="C", LC_ALL="C", LANGUAGE="ja")
    p = sensei("ask", "", env=env)
    assert "Please ask" in check_clean(p, (2,))


def test_japanese_locale_gives_japanese_errors() -> None:
    env = dict(os.environ, LANG="ja_JP.UTF-8")
    env.pop("LC_ALL", None)
    p = sensei("ask", "", env=env)
    assert "質問" in check_clean(p, (2,))


def test_term_dumb_and_no_color_give_no_escapes() -> None:
    for extra in ({"TERM": "dumb"}, {"NO_COLOR": "1"}):
        env = dict(os.environ, **extra)
        p = sensei("ask", "--no-diagnose", "how do I detach?", env=env)
        check_clean(p, (0,))
        assert b"\x1b" not in p.stdout


def test_unwritable_cache_still_answers(tmp_path: Path) -> None:
    home = tmp_path / "ro"
    home.mkdir()
    home.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(home, os.W_OK):
            pytest.skip("running as root: permissions cannot make a directory unwritable")
        env = dict(os.environ, TMUX_SENSEI_HOME=str(home / "sensei"), HOME=str(home))
        p = sensei("ask", "--no-diagnose", "how do I detach?", env=env)
        check_clean(p, (0,))
        assert b"C-b d" in p.stdout
    finally:
        home.chmod(stat.S_IRWXU)


def test_cache_path_that_is_a_file_still_answers(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    env = dict(os.environ, TMUX_SENSEI_HOME=str(blocker))  # cache/ cannot be created under a file
    p = sensei("ask", "--no-diagnose", "how do I detach?", env=env)
    check_clean(p, (0,))
    assert b"C-b d" in p.stdout


def test_no_tmux_installed_answers_still_work(tmp_path: Path) -> None:
    env = dict(os.environ, PATH=str(tmp_path))  # no tmux on PATH (python is run by full path)
    p = sensei("ask", "why did my tmux session exit while I was away?", env=env)
    check_clean(p, (0,))
    assert b"TMOUT" in p.stdout


def test_no_tty_on_stdin_and_closed_pipe() -> None:
    p = sensei("ask", "--no-diagnose", "how do I split panes?", input=b"")
    check_clean(p, (0,))
    assert p.stdout.startswith(b"# ")  # plain Markdown when stdout is not a terminal
