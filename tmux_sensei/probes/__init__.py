"""Live checks of this machine: one module per probe, each `probe(ctx) -> Finding`.

A Finding is a dict: probe, status (ok|warn|problem|unknown), summary, detail, fix, in the
answer's language (its type: shapes.Finding). `run_for_topics` is what an answer calls with the
probe names its topics list; `doctor` runs them all.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from tmux_sensei.shapes import Finding


def run_for_topics(
    names: list[str],
    lang: str,
    strings: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
) -> list[Finding]:
    from tmux_sensei.probes.base import ProbeContext
    from tmux_sensei.probes.runner import run

    if not names:
        return []
    return list(run(names, ProbeContext(strings=strings, lang=lang, environ=environ)))
