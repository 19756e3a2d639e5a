"""Retrieval quality on the question sets: the targets of the core issue, per language."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from eval_retrieval import evaluate

SHARED = REPO.parent / "shared" / "eval" / "dev.jsonl"
OWN = REPO / "tests" / "eval" / "questions.jsonl"
BREADTH = REPO / "tests" / "eval" / "questions-breadth.jsonl"
TARGET = 0.90


def rates(path: Path) -> dict[str, float]:
    score, misses, _ = evaluate(path, dict(os.environ, NO_COLOR="1"))
    print("\n".join(misses))
    return {k: hit / total for k, (hit, total) in score.items()}


def test_own_question_set_meets_the_target() -> None:
    r = rates(OWN)
    assert r["en"] >= TARGET and r["ja"] >= TARGET, r
    assert r["en (decline)"] >= 0.8 and r["ja (decline)"] >= 0.8, r


def test_breadth_question_set_meets_the_target() -> None:
    r = rates(BREADTH)
    assert r["en"] >= TARGET and r["ja"] >= TARGET, r


@pytest.mark.skipif(not SHARED.exists(), reason="the shared question set is not beside the repo")
def test_shared_question_set_meets_the_target() -> None:
    r = rates(SHARED)
    assert r["en"] >= TARGET and r["ja"] >= TARGET, r


def test_own_question_set_is_big_enough() -> None:
    lines = [line for line in OWN.read_text("utf-8").splitlines() if line.strip()]
    assert len(lines) >= 100 and sum('"lang": "ja"' in line for line in lines) >= 40
