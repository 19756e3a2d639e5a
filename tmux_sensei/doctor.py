"""`tmux-sensei doctor`: every probe, as a checklist in the style of `brew doctor`."""

from __future__ import annotations

from tmux_sensei.render import STATUS_MARK, inline_pieces, paint_line, text_width
from tmux_sensei.textutil import wrap_pieces

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from tmux_sensei.shapes import Finding

DOCTOR_DEADLINE = 2.0  # nobody waits on a popup here: slower checks (journalctl) may finish


def run_doctor(strings: Mapping[str, str], lang: str, environ: Mapping[str, str]) -> list[Finding]:
    from tmux_sensei.probes.base import ProbeContext
    from tmux_sensei.probes.runner import PROBES, run

    ctx = ProbeContext(strings=strings, lang=lang, environ=environ, timeout=1.0)
    return run(PROBES, ctx, deadline=DOCTOR_DEADLINE)


def explain_pointer(strings: Mapping[str, str], environ: Mapping[str, str] | None = None) -> str:
    """A line pointing at `tmux-sensei explain` when the user has a tmux.conf, else ""."""
    import os

    from tmux_sensei.explain import UsageProblem, default_config
    from tmux_sensei.textutil import sanitize

    try:
        path = default_config(os.environ if environ is None else environ)
    except UsageProblem:
        return ""
    return strings.get("doctor.explain", "").replace("{path}", sanitize(path, keep_newlines=False))


def counts(findings: list[Finding]) -> tuple[int, int]:
    return (
        sum(f["status"] == "problem" for f in findings),
        sum(f["status"] == "warn" for f in findings),
    )


def doctor_text(
    findings: list[Finding],
    strings: Mapping[str, str],
    *,
    verbose: bool,
    color: bool,
    columns: int,
    environ: Mapping[str, str] | None = None,
) -> str:
    columns = text_width(columns)
    lines = [paint_line([("title", strings.get("doctor.title", ""))], color), ""]
    for f in findings:
        style = {"ok": "mark", "warn": "warnmark", "problem": "problemmark"}.get(f["status"], "dim")
        head = [("", "["), (style, STATUS_MARK.get(f["status"], "?")), ("", "] ")]
        for line in wrap_pieces(head + inline_pieces(f["summary"]), columns, "    ", ""):
            lines.append(paint_line(line, color))
        if verbose and f.get("detail"):
            for detail in f["detail"].splitlines():
                pieces = [("dim", t) for _, t in inline_pieces(detail)]
                for line in wrap_pieces(pieces, columns, "    ", "    "):
                    lines.append(paint_line(line, color))
        if f.get("fix") and f["status"] in ("warn", "problem"):
            pieces = [("", "→ "), *inline_pieces(f["fix"])]
            for line in wrap_pieces(pieces, columns, "      ", "    "):
                lines.append(paint_line(line, color))
    problems, warnings = counts(findings)
    lines.append("")
    if problems or warnings:
        lines.append(strings.get("doctor.summary", "").format(problems=problems, warnings=warnings))
    else:
        lines.append(strings.get("doctor.healthy", ""))
    if not verbose:
        lines.append(strings.get("doctor.more", ""))
    pointer = explain_pointer(strings, environ)
    if pointer:
        lines.append(paint_line(inline_pieces(pointer), color))
    return "\n".join(lines) + "\n"


def doctor_json(findings: list[Finding]) -> str:
    from tmux_sensei.textutil import dumps_json

    problems, warnings = counts(findings)
    doc = {"findings": findings, "problems": problems, "warnings": warnings}
    return dumps_json(doc) + "\n"  # strings sanitised, controls escaped
