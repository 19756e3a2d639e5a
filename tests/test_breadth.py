"""Did-you-mean against the installed tmux, version notes, and the unanswered-question log."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

from conftest import requires_tmux, sensei

from tmux_sensei.cli import Env, main
from tmux_sensei.probes.version import parse_version


def ask(*args: str, environ: dict[str, str] | None = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    out = io.StringIO()
    code = main(
        ["ask", "--json", *args], Env(out, io.StringIO(), environ or dict(os.environ), False)
    )
    return code, json.loads(out.getvalue())


@requires_tmux
def test_misspelt_option_is_matched_against_the_installed_tmux() -> None:
    _, doc = ask("--no-diagnose", "what does remain-on-exti do?")
    assert doc["did_you_mean"] == [{"typed": "remain-on-exti", "meant": "remain-on-exit"}]
    assert doc["answers"][0]["topic"] == "remain-on-exit"
    assert "Did you mean `remain-on-exit`?" in doc["text"]
    _, doc = ask("--no-diagnose", "set-clipbaord を on にすると？")
    assert doc["did_you_mean"][0]["meant"] == "set-clipboard" and "もしかして" in doc["text"]
    cache = list((Path(os.environ["TMUX_SENSEI_HOME"]) / "cache").glob("tmux-facts-*.json"))
    facts = json.loads(cache[0].read_text())
    assert len(cache) == 1 and "remain-on-exit" in facts["names"]
    assert facts["prefix_keys"]["d"] == "detach-client"  # tmux's own default table


def test_correct_names_and_plain_words_get_no_suggestion() -> None:
    _, doc = ask("--no-diagnose", "what does remain-on-exit do? my well-known set-up")
    assert doc["did_you_mean"] == []


@requires_tmux
def test_version_note_when_the_page_needs_a_newer_tmux() -> None:
    installed = parse_version(
        subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout
    )[1]
    _, doc = ask("what does detach-on-destroy previous do?")
    text = doc["answers"][0]["text"]
    if installed < (3, 4):
        assert "need tmux 3.4 or later" in text and "detach-on-destroy off" in text
        # the short answer still comes first
        assert text.index("need tmux 3.4") > text.index("**No:")
    else:
        assert "need tmux 3.4" not in text
    _, doc = ask("--no-diagnose", "what does detach-on-destroy previous do?")
    assert "need tmux 3.4" not in doc["answers"][0]["text"]  # a live check: skipped


def test_unanswered_questions_are_logged_and_reported(tmp_path: Path) -> None:
    for q in ("how do I bake banana bread?", "How do I bake banana bread", "カレーの作り方"):
        code, _ = ask("--no-diagnose", q)
        assert code == 1
    ask("--no-diagnose", "how do I detach?")  # answered: not logged
    p = sensei("report")
    out = p.stdout.decode()
    assert p.returncode == 0
    assert any("2×" in line and "bake banana bread" in line for line in out.splitlines()), out
    assert "カレーの作り方" in out and "detach" not in out.split("closest")[0]
    rows = json.loads(sensei("report", "--json").stdout)
    assert sorted(r["count"] for r in rows) == [1, 2]


def test_the_log_can_be_turned_off() -> None:
    config = Path(os.environ["TMUX_SENSEI_HOME"]) / "config"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("log_unanswered = false\n")
    ask("--no-diagnose", "how do I bake banana bread?")
    p = sensei("report")
    assert b"not logged" in p.stdout
    assert not (Path(os.environ["TMUX_SENSEI_HOME"]) / "data" / "unanswered.jsonl").exists()
