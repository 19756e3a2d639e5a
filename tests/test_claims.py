"""`kb claims` runs every page's behavioural claims on private tmux servers, and can fail."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import REPO, requires_tmux, sensei

MIN_CLAIMS = 150
MIN_TOPICS = 60


@requires_tmux
def test_every_claim_holds_on_the_installed_tmux() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    p = sensei("kb", "claims", "--json", env=env, timeout=180)
    report = json.loads(p.stdout)
    assert set(report) == {"claims", "topics", "failed", "skipped"}
    assert report["failed"] == [], json.dumps(report["failed"], indent=1)[:3000]
    assert p.returncode == 0, p.stderr.decode()
    assert report["claims"] >= MIN_CLAIMS
    assert report["topics"] >= MIN_TOPICS
    for skipped in report["skipped"]:
        assert skipped["needs"]  # a skip always names what it waits for: a version, a program


@requires_tmux
def test_a_false_claim_is_reported_as_failed(tmp_path: Path) -> None:
    claims = tmp_path / "kb" / "claims"
    claims.mkdir(parents=True)
    (claims / "mouse.toml").write_text(
        '[[claim]]\nsays = "mouse is on by default"\n'
        'steps = [{ option = "mouse", equals = "on" }]\n\n'
        '[[claim]]\nsays = "mouse is off by default"\n'
        'steps = [{ option = "mouse", equals = "off" }]\n\n'
        '[[claim]]\nsays = "a newer tmux"\nneeds = "99.1"\n'
        'steps = [{ option = "mouse", equals = "on" }]\n\n'
        '[[claim]]\nsays = "a program this machine lacks"\nprograms = ["nosuchprog"]\n'
        'steps = [{ run = ["nosuchprog"], equals = "on" }]\n',
        "utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    env["TMUX_SENSEI_KB"] = str(tmp_path / "kb")
    p = sensei("kb", "claims", "--json", env=env)
    report = json.loads(p.stdout)
    assert p.returncode == 1
    assert report["claims"] == 4 and report["topics"] == 1
    assert [(f["topic"], f["claim"]) for f in report["failed"]] == [("mouse", 1)]
    assert "expected 'on'" in report["failed"][0]["detail"]
    skipped = [(s["claim"], s["needs"]) for s in report["skipped"]]
    assert skipped == [(3, "tmux 99.1"), (4, "nosuchprog")]
    text = sensei("kb", "claims", env={**env, "TMUX_SENSEI_LANG": "en"})
    assert text.returncode == 1
    assert b"FAILED mouse #1: mouse is on by default" in text.stdout


def test_kb_check_rejects_a_claim_file_without_a_topic(tmp_path: Path) -> None:
    from tmux_sensei.claims import check_claim_files

    claims = tmp_path / "claims"
    claims.mkdir()
    (claims / "no-such-topic.toml").write_text('[[claim]]\nsays = "x"\nsteps = [{ sleep = 0 }]\n')
    (claims / "mouse.toml").write_text(
        '[[claim]]\nsays = "never said"\nsteps = [{ sleep = 0, frobnicate = 1 }]\n'
    )
    problems = check_claim_files(str(tmp_path), {"mouse": "The mouse is off."})
    assert any("no topic 'no-such-topic'" in p for p in problems)
    assert any("unknown key 'frobnicate'" in p for p in problems)
    assert any("the page never says 'never said'" in p for p in problems)


def test_the_repository_claims_name_real_topics() -> None:
    from tmux_sensei.claims import check_claim_files
    from tmux_sensei.knowledge import read_page

    kb = REPO / "knowledge"
    pages = {p.stem: read_page(str(p), "en").body for p in (kb / "en").glob("*.md")}
    assert check_claim_files(str(kb), pages) == []
