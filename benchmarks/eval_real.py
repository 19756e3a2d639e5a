"""Retrieval on the blind real-question set: per split and language, the figures the README reports.

    python benchmarks/eval_real.py [--dev] [--misses] [--json] [--batch N]

- hit: `ask --json --no-diagnose` answers in the row's language and what a person reads names every
  `must` entry (the rule of ../shared/eval/README.md, `eval_retrieval.found`);
- first / top 3: the search's best page, or one of its best three, is a right page — one whose own
  text names every `must` entry (the rows name no page: their writers never saw the pages);
- off-topic answered: near-domain questions that are not about tmux (tests/eval/offtopic.jsonl) that
  got an answer (exit 0) instead of an honest "not sure".

`--misses` lists the dev split's misses only: the test split is measured, never looked into.
`--batch N` keeps the rows of one batch of writing (fresh rows show what tuning has not seen).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from eval_retrieval import ask, found, readable_text  # noqa: E402

REAL = ROOT / "tests" / "eval" / "real.jsonl"
OFFTOPIC = ROOT / "tests" / "eval" / "offtopic.jsonl"


def load(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def names_all(must: list[str], low: str) -> bool:
    return all(any(found(a, low) for a in m.split("|")) for m in must)


class PageTexts:
    """The text of each page, as an answer shows it, per language (for first / top 3)."""

    def __init__(self, environ: dict[str, str]) -> None:
        from tmux_sensei.loader import open_index

        self.environ = environ
        self.indexes = {lang: open_index(lang, environ) for lang in ("en", "ja")}
        self._text: dict[tuple[str, str], str] = {}

    def text(self, lang: str, topic: str) -> str:
        key = (lang, topic)
        if key not in self._text:
            from tmux_sensei.render import blocks_markdown

            t = self.indexes[lang].topic(topic)
            self._text[key] = (t["title"] + "\n\n" + blocks_markdown(t["blocks"])).lower()
        return self._text[key]

    def ranked(self, lang: str, question: str) -> list[str]:
        return [h.topic for h in self.indexes[lang].search(question, limit=3)]


def evaluate(environ: dict[str, str]) -> tuple[dict[str, dict[str, list[int]]], list[str]]:
    """{"dev en": {"hit": [n, total], "first": [...], "top3": [...]}, ...} and the dev misses."""
    pages = PageTexts(environ)
    table: dict[str, dict[str, list[int]]] = {}
    misses: list[str] = []

    def count(key: str, metric: str, ok: bool) -> None:
        cell = table.setdefault(key, {}).setdefault(metric, [0, 0])
        cell[0] += ok
        cell[1] += 1

    batch = _batch()
    for row in load(REAL):
        if batch is not None and row.get("batch", 1) != batch:
            continue
        lang, split, q = str(row["lang"]), str(row["split"]), str(row["q"])
        must = [str(m) for m in row["must"]]  # type: ignore[union-attr]
        code, doc = ask(q, environ)
        hit = doc is not None and doc.get("lang") == lang and names_all(must, readable_text(doc))
        ranked = pages.ranked(lang, q)
        right = [names_all(must, pages.text(lang, t)) for t in ranked]
        key = f"{split} {lang}"
        count(key, "hit", hit)
        count(key, "first", bool(right[:1]) and right[0])
        count(key, "top3", any(right))
        if not hit and split == "dev":
            got = ",".join(str(a.get("topic")) for a in (doc or {}).get("answers") or [])  # type: ignore[union-attr]
            lang_got = (doc or {}).get("lang")
            misses.append(
                f"  [{lang}] {q[:110]!r}\n      got={got or '-'} lang={lang_got} top3={ranked} "
                f"must={must} concept={row.get('concept')}"
            )
    if OFFTOPIC.exists():
        for row in load(OFFTOPIC):
            code, doc = ask(str(row["q"]), environ)
            count(f"{row['split']} {row['lang']}", "offtopic answered", code == 0)
            if code == 0 and row["split"] == "dev":
                got = ",".join(str(a.get("topic")) for a in (doc or {}).get("answers") or [])  # type: ignore[union-attr]
                misses.append(f"  [{row['lang']} off-topic] {str(row['q'])[:110]!r} got={got}")
    return table, misses


def _batch() -> int | None:
    if "--batch" in sys.argv[:-1]:
        return int(sys.argv[sys.argv.index("--batch") + 1])
    return None


def print_table(table: dict[str, dict[str, list[int]]]) -> None:
    metrics = ["hit", "first", "top3", "offtopic answered"]
    print(f"  {'split':<9}" + "".join(f"{m:>22}" for m in metrics))
    for key in sorted(table, key=lambda k: (k.split()[0] != "test", k)):
        cells = []
        for m in metrics:
            n, total = table[key].get(m, [0, 0])
            cells.append(f"{n:>4}/{total:<4} {100 * n / total:5.1f}%" if total else "")
        print(f"  {key:<9}" + "".join(f"{c:>22}" for c in cells))


def main() -> int:
    with tempfile.TemporaryDirectory() as home:
        environ = dict(
            os.environ, TMUX_SENSEI_HOME=home, NO_COLOR="1", TMUX_SENSEI_LOG_UNANSWERED="0"
        )
        environ.pop("TMUX", None)
        table, misses = evaluate(environ)
    if "--dev" in sys.argv:  # while tuning: the test split is looked at only to report
        table = {k: v for k, v in table.items() if k.startswith("dev ")}
    if "--json" in sys.argv:
        print(json.dumps(table, indent=1, sort_keys=True))
    else:
        print_table(table)
    if "--misses" in sys.argv:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
