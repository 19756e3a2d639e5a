"""`tmux-sensei kb check` on the real knowledge base and on broken fixture trees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REPO, requires_tmux, sensei

from tmux_sensei.kbcheck import ask_tmux, check_tree, names_in_shell_line

PAGE = """+++
title = "{title}"
questions = [{questions}]
tags = ["basics"]
related = [{related}]
+++
**Short answer.** More words.

## Why
Run `tmux {command}` or:

```tmux
set -g {option} on
```
"""


def write_page(
    root: Path,
    lang: str,
    pid: str,
    *,
    questions: int = 5,
    related: str = "",
    command: str = "detach-client",
    option: str = "mouse",
) -> None:
    qs = ", ".join(f'"question {i} about {pid}"' for i in range(questions))
    (root / lang).mkdir(parents=True, exist_ok=True)
    (root / lang / f"{pid}.md").write_text(
        PAGE.format(title=pid, questions=qs, related=related, command=command, option=option),
        "utf-8",
    )


@requires_tmux
def test_real_knowledge_base_passes() -> None:
    p = sensei("kb", "check", timeout=120)
    out = p.stdout.decode("utf-8")
    assert p.returncode == 0, out[-3000:]
    assert "passed" in out


@requires_tmux
def test_fixture_tree_problems_are_each_reported(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    write_page(root, "en", "good", related='"other"')
    write_page(root, "ja", "good", related='"other"')
    write_page(root, "en", "other", questions=3, related='"nowhere"')
    write_page(root, "ja", "other", option="no-such-option")
    write_page(root, "en", "lonely", command="frobnicate-window")
    names = ask_tmux()
    assert names is not None and "detach-client" in names.commands
    problems, topics, _ = check_tree(str(root), names)
    text = "\n".join(problems)
    assert topics == 3
    assert "ja/lonely.md: missing" in text
    assert "en/other.md: 3 distinct questions" in text
    assert "related topic 'nowhere' does not exist" in text
    assert "unknown tmux option 'no-such-option'" in text
    assert "unknown tmux command 'frobnicate-window'" in text
    assert not any("good.md" in p for p in problems)


@requires_tmux
def test_newer_names_need_a_version(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    for lang in ("en", "ja"):
        write_page(root, lang, "new", option="codepoint-widths")
    names = ask_tmux()
    assert names is not None
    if "codepoint-widths" in names.options:
        pytest.skip("this tmux already has codepoint-widths")
    problems, _, _ = check_tree(str(root), names)
    assert any("codepoint-widths" in p for p in problems)
    page = root / "en" / "new.md"
    text = page.read_text("utf-8").replace(
        "related = []", 'related = []\nneeds = { "codepoint-widths" = "3.6" }'
    )
    page.write_text(text.replace("More words.", "Needs tmux 3.6 or later."), "utf-8")
    problems, _, _ = check_tree(str(root), names)
    assert not any("en/new.md" in p for p in problems)


def test_names_in_shell_lines() -> None:
    assert names_in_shell_line("tmux -L x new-session -d -s a") == [("command", "new-session")]
    assert names_in_shell_line("grep tmux /var/log/dpkg.log") == []
    assert ("option", "mouse") in names_in_shell_line("tmux set -g mouse on \\; display 'ok'")
    assert ("command", "display") in names_in_shell_line("tmux set -g mouse on \\; display 'ok'")
    assert names_in_shell_line("sudo tmux kill-server") == [("command", "kill-server")]


def test_without_tmux_the_check_says_so(tmp_path: Path) -> None:
    env = dict(os.environ, PATH=str(tmp_path))
    p = sensei("kb", "check", env=env)
    assert p.returncode == 1
    assert b"tmux was not found" in p.stderr


def test_kb_check_reports_unreadable_page(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    write_page(root, "en", "a")
    write_page(root, "ja", "a")
    (root / "ja" / "a.md").write_bytes(b"+++\ntitle = \xff\n+++\n")
    problems, _, _ = check_tree(str(root), None)
    assert any("ja/a.md" in p and "cannot read" in p for p in problems)


def test_repo_pages_exist_in_both_languages() -> None:
    en = {p.name for p in (REPO / "knowledge" / "en").glob("*.md")}
    ja = {p.name for p in (REPO / "knowledge" / "ja").glob("*.md")}
    assert en == ja and len(en) >= 40


def test_japanese_bold_sentence_is_not_followed_by_a_half_width_space(tmp_path: Path) -> None:
    """「…残るんだ。** ターミナル」: Japanese puts no space between sentences (issue 13)."""
    from tmux_sensei.kbcheck import check_body
    from tmux_sensei.knowledge import read_page

    root = tmp_path / "kb"
    for lang in ("en", "ja"):
        write_page(root, lang, "spaced")
    ja = root / "ja" / "spaced.md"
    text = ja.read_text("utf-8")
    ja.write_text(text.replace("**Short answer.** More words.", "**短い答えだよ。** 続きの文。"))
    problems = check_body(read_page(str(ja), "ja"))
    assert any("half-width space after bold" in p for p in problems), problems
    ja.write_text(text.replace("**Short answer.** More words.", "**短い答えだよ。**続きの文。"))
    assert check_body(read_page(str(ja), "ja")) == []
    en = read_page(str(root / "en" / "spaced.md"), "en")
    assert check_body(en) == []  # English sentences keep their space
