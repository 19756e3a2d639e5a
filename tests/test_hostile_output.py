"""Text that did not come from this code (pages from TMUX_SENSEI_KB, log fields, echoed options,
the words of `tmux -V`) is never printed raw: no escape, C0/C1 control or bidi control reaches
stdout or stderr, and `--json` carries none either."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import sensei

from tmux_sensei.textutil import dumps_json, sanitize

EVIL = "\x1b]0;pwned\x07\x1b[2J\x9b31m\x85\u2066\u2067\u2068\u2069\u061c\u202e"
RAW = ("\x1b", "\x07", "\x9b", "\x85", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\u202e")


def raw_in(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace")
    return [c for c in RAW if c in text]


def test_the_sanitiser_removes_bidi_isolates_and_the_arabic_letter_mark() -> None:
    assert sanitize("a\u2066b\u2067c\u2068d\u2069e\u061cf") == "abcdef"
    assert sanitize("日本語 plain") == "日本語 plain"
    assert sanitize("x\x9dOSC\x9cy\x85z") == "xyz"


def test_json_escapes_what_is_left_and_keeps_text_readable() -> None:
    text = dumps_json({"a": "détaché 日本 " + EVIL, "b": ["\u2028"]})
    assert not [c for c in RAW if c in text] and "\u2028" not in text
    assert "détaché 日本" in text
    assert json.loads(text)["a"].startswith("détaché 日本")


@pytest.fixture
def evil_kb(warm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    kb = tmp_path / "kb"
    shutil.copytree(os.environ["TMUX_SENSEI_KB"], kb)
    for lang in ("en", "ja"):
        page = kb / lang / "detach-attach.md"
        text = page.read_text("utf-8")
        head, rest = text.split('title = "', 1)
        in_toml = EVIL.replace("\x1b", "\\u001b").replace("\x07", "\\u0007")  # C0 escaped
        text = head + 'title = "' + in_toml + rest
        text = text.replace("\n+++\n", "\n+++\n" + EVIL + "\n", 1)
        page.write_text(text, "utf-8")
    monkeypatch.setenv("TMUX_SENSEI_KB", str(kb))
    return kb


def test_knowledge_text_is_sanitised_in_every_output(evil_kb: Path) -> None:
    question = "how do I detach from tmux?"
    for extra, env_extra in (
        ([], {}),
        (["--json"], {}),
        ([], {"FORCE_COLOR": "1"}),
    ):
        env = dict(os.environ, **env_extra)
        p = sensei("ask", "--no-diagnose", *extra, question, env=env)
        assert p.returncode == 0, p.stderr
        assert b"C-b d" in p.stdout
        if env_extra:  # colour: only our own SGR sequences
            assert b"\x1b]" not in p.stdout and b"\x1b[2J" not in p.stdout
            assert raw_in(p.stdout.replace(b"\x1b[", b"")) == []
        else:
            assert raw_in(p.stdout) == [], extra
    doc = json.loads(sensei("ask", "--no-diagnose", "--json", question).stdout)
    assert doc["answers"][0]["topic"] == "detach-attach"
    piped = sensei(input=b"how do I detach from tmux?\n/topics sessions\n")
    assert raw_in(piped.stdout) == []


def test_kb_check_flags_control_characters_in_a_page(evil_kb: Path) -> None:
    p = sensei("kb", "check", timeout=120)
    assert p.returncode == 1
    assert b"detach-attach.md: control or invisible characters" in p.stdout
    assert raw_in(p.stdout) == []


@pytest.mark.parametrize("command", ["report", "setup", "learn", "doctor", "ask"])
def test_an_unknown_option_is_echoed_without_controls(command: str) -> None:
    p = sensei(command, "--x\x1b]0;T\x07\x9b2J\u2066")
    assert p.returncode == 2
    assert raw_in(p.stderr) == [] and raw_in(p.stdout) == []
    assert b"--x" in p.stderr


def fake_tmux(tmp_path: Path, version: str) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "tmux"
    script.write_text(f"#!/bin/sh\nprintf '{version}\\n'\n")
    script.chmod(0o755)
    return dict(os.environ, PATH=f"{bin_dir}:/usr/bin:/bin")


def test_the_words_of_tmux_version_are_sanitised(warm: Path, tmp_path: Path) -> None:
    from tmux_sensei.answer import installed_tmux

    env = fake_tmux(tmp_path, "tmux 3.3a\\033]0;pwned\\007\\302\\233")
    found = installed_tmux(env)
    assert found is not None and raw_in(found[0].encode()) == [] and found[1] == (3, 3)
    for args in (["doctor", "-v"], ["doctor", "--json"], ["ask", "which tmux version do I have?"]):
        p = sensei(*args, env=env)
        assert raw_in(p.stdout) == [] and raw_in(p.stderr) == [], args
