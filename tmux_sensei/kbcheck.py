"""`tmux-sensei kb check`: validate every knowledge page, and the tmux names in its code.

Command and option names are checked against the tmux installed here, asked on a private
socket (`list-commands`, `show-options`, `show-hooks`), so a page never teaches a command that
the reader's tmux lacks without saying which version it needs (front matter `needs`).
"""

from __future__ import annotations

import os
import re
import shlex

from tmux_sensei.knowledge import KNOWN_KEYS, REQUIRED_KEYS, Page, PageError, page_files, read_page
from tmux_sensei.lang import SUPPORTED
from tmux_sensei.tmux_names import TmuxNames, ask_tmux

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from tmux_sensei.env import Env
    from tmux_sensei.shapes import Block

TAGS = frozenset(
    """persistence troubleshooting basics sessions windows panes keys config copy-paste display
    terminal japanese scripting plugins versions errors sharing platform""".split()
)
PROBES = frozenset("server socket options tmout logind oom reboot version context config".split())
MIN_QUESTIONS = 5
SET_COMMANDS = frozenset({"set", "set-option", "setw", "set-window-option"})
SHOW_COMMANDS = frozenset({"show", "show-options", "showw", "show-window-options"})
HOOK_COMMANDS = frozenset({"set-hook", "show-hooks"})
TMUX_GLOBAL_FLAGS_WITH_ARG = frozenset({"-L", "-S", "-f", "-c", "-T"})
_COMMAND_STARTERS = frozenset({"|", "||", "&&", ";", "(", "$(", "`", "!", "then", "do", "else"})
_COMMAND_ENDERS = (";", "&&", "||", "|", "$(")
_PREFIX_COMMANDS = frozenset({"sudo", "exec", "time", "env", "command", "nohup", "-u", "-E"})


# ---------------------------------------------------------------- names in code


def _split_tmux_commands(words: list[str]) -> list[list[str]]:
    """tmux command sequences are joined by a lone ';' (written \\; in a shell)."""
    groups: list[list[str]] = [[]]
    for w in words:
        if w in (";", "\\;", _SEP):
            groups.append([])
        elif w.endswith("\\;") or (w.endswith(";") and len(w) > 1 and not w.endswith("\\;")):
            groups[-1].append(w.rstrip(";").rstrip("\\"))
            groups.append([])
        else:
            groups[-1].append(w)
    return [g for g in groups if g]


_SEP = "\x00;"  # a tmux command separator (`\\;` in a shell), kept apart from the shell's `;`


def _words(line: str) -> list[str]:
    line = line.replace("\\;", f" {_SEP} ")
    try:
        return shlex.split(line, comments=False, posix=True)
    except ValueError:
        return line.split()


def _is_placeholder(name: str) -> bool:
    return (
        not name
        or name.startswith(("@", "$", "<", "#", "'", '"'))
        or name.isupper()
        or "{" in name
        or "…" in name
        or name.endswith("...")
    )


def names_in_command(words: list[str]) -> list[tuple[str, str]]:
    """(kind, name) pairs in one tmux command: ("command", X) and ("option"/"hook", Y)."""
    if not words or _is_placeholder(words[0]):
        return []
    found = [("command", words[0])]
    cmd = words[0]
    if cmd in SET_COMMANDS | SHOW_COMMANDS | HOOK_COMMANDS:
        i = 1
        while i < len(words) and words[i].startswith("-") and len(words[i]) > 1:
            if words[i].endswith(("t", "F")) and i + 1 < len(words):
                i += 1  # -t target / -F format take an argument
            i += 1
        if i < len(words):
            name = words[i].split("[")[0]
            if not _is_placeholder(name):
                found.append(("hook" if cmd in HOOK_COMMANDS else "option", name))
    return found


def names_in_shell_line(line: str) -> list[tuple[str, str]]:
    """Names in a shell line: every `tmux [global flags] COMMAND ...` in it."""
    words = _words(line)
    found: list[tuple[str, str]] = []
    command_position = True
    for at, word in enumerate(words):
        is_tmux = command_position and os.path.basename(word) == "tmux"
        # `tmux` counts only where a command starts (not in `grep tmux FILE`)
        command_position = (
            word in _COMMAND_STARTERS
            or word.endswith(_COMMAND_ENDERS)
            or (command_position and ("=" in word or word in _PREFIX_COMMANDS))
        )
        if not is_tmux:
            continue
        i = at + 1
        while i < len(words) and words[i].startswith("-") and len(words[i]) > 1:
            i += 2 if words[i] in TMUX_GLOBAL_FLAGS_WITH_ARG else 1
        rest: list[str] = []
        for w in words[i:]:
            if w in ("|", "&&", "||", ";", ">", ">>", "2>&1") or w.startswith(("$(", "`")):
                break
            rest.append(w)
        for group in _split_tmux_commands(rest):
            found += names_in_command(group)
    return found


def code_names(page: Page) -> list[tuple[str, str, str]]:
    """(kind, name, where) for the tmux names that a page's code names."""
    out: list[tuple[str, str, str]] = []
    for block in page.blocks:
        if block[0] == "code":
            info, text = block[1], block[2]
            for raw in text.splitlines():
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                if info == "tmux" and (line.startswith("%") or line in ("{", "}")):
                    continue  # %if/%elif/%else/%endif and { } blocks: config syntax, not commands
                if info == "tmux":
                    for group in _split_tmux_commands(_words(line)):
                        out += [(k, n, line) for k, n in names_in_command(group)]
                elif info in ("sh", "bash", "shell", "console"):
                    out += [(k, n, line) for k, n in names_in_shell_line(line.lstrip("$ "))]
        for inline in _inline_texts(block):
            for span in _code_spans(inline):
                first = span.split()[0] if span.split() else ""
                if "tmux" in span.split()[:3]:
                    out += [(k, n, span) for k, n in names_in_shell_line(span)]
                elif first in SET_COMMANDS | SHOW_COMMANDS | HOOK_COMMANDS:
                    out += [(k, n, span) for k, n in names_in_command(_words(span))]
    return out


def _inline_texts(block: Block) -> list[str]:
    if block[0] in ("h", "p"):
        return [block[-1]]
    if block[0] in ("ul", "ol"):
        return list(block[1])
    return []


def _code_spans(text: str) -> list[str]:
    spans = []
    parts = text.split("`")
    for i in range(1, len(parts), 2):
        if i + 1 < len(parts):
            spans.append(parts[i])
    return spans


# ---------------------------------------------------------------- page rules

_JA_SPACE_AFTER_BOLD = re.compile(r"[。！？）」]\*\* (?=[^\s])")


def _emoji_count(text: str) -> int:
    return sum(1 for c in text if 0x1F300 <= ord(c) <= 0x1FAFF or 0x2600 <= ord(c) <= 0x27BF)


def check_front(page: Page, ids: set[str]) -> list[str]:
    problems: list[str] = []
    front = page.front
    for key in REQUIRED_KEYS:
        if key not in front:
            problems.append(f"front matter lacks '{key}'")
    for key in front:
        if key not in KNOWN_KEYS:
            problems.append(f"unknown front matter key '{key}'")
    if not isinstance(front.get("title"), str) or not front.get("title", "").strip():
        problems.append("title must be a non-empty string")
    questions = front.get("questions", [])
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        problems.append("questions must be a list of strings")
    elif len({q.strip().lower() for q in questions}) < MIN_QUESTIONS:
        problems.append(f"{len(questions)} distinct questions; at least {MIN_QUESTIONS} are needed")
    for tag in front.get("tags", []):
        if tag not in TAGS:
            problems.append(f"unknown tag '{tag}'")
    for rid in front.get("related", []):
        if rid not in ids:
            problems.append(f"related topic '{rid}' does not exist")
        elif rid == page.id:
            problems.append("a page cannot be related to itself")
    for probe in front.get("probes", []):
        if probe not in PROBES:
            problems.append(f"unknown probe '{probe}'")
    needs = front.get("needs", {})
    if not isinstance(needs, dict):
        problems.append('needs must be a table of name = "version"')
    return problems


def check_body(page: Page) -> list[str]:
    problems = [f"unsupported Markdown: {u}" for u in page.unsupported]
    if not page.blocks or page.blocks[0][0] != "p":
        problems.append("the page must start with a short-answer paragraph")
    elif not page.blocks[0][1].startswith("**"):
        problems.append("the short answer (first paragraph) must start in bold")
    if _emoji_count(page.body) > 1:
        problems.append("more than one emoji")
    if page.lang == "ja":
        spaced = [b[1] for b in page.blocks if b[0] == "p" and _JA_SPACE_AFTER_BOLD.search(b[1])]
        if spaced:
            # Japanese puts no space between sentences; our renderer closes bold without one
            problems.append("half-width space after bold text ending a sentence: " + spaced[0][:40])
    from tmux_sensei.textutil import controls_in

    found = controls_in(page.body + "\n" + _front_text(page.front))
    if found:
        problems.append("control or invisible characters: " + ", ".join(found[:5]))
    return problems


def _front_text(value: object) -> str:
    """Every string in the front matter, joined (a title or question may carry a control)."""
    if isinstance(value, str):
        return value + "\n"
    if isinstance(value, dict):
        return "".join(_front_text(v) for v in value.values())
    if isinstance(value, list):
        return "".join(_front_text(v) for v in value)
    return ""


def check_names(page: Page, names: TmuxNames) -> tuple[list[str], int]:
    problems: list[str] = []
    needs = {str(k): str(v) for k, v in dict(page.front.get("needs", {})).items()}
    checked = 0
    for kind, name, where in code_names(page):
        checked += 1
        if kind == "command" and names.knows_command(name):
            continue
        if (kind == "option" and name in names.options) or (kind == "hook" and name in names.hooks):
            continue
        if name in needs:
            if needs[name] not in page.body:
                problems.append(f"'{name}' needs tmux {needs[name]}, but the text never says so")
            continue
        problems.append(
            f"unknown tmux {kind} '{name}' in `{where[:60]}` (tmux {names.version} lacks it; "
            f"if a newer tmux has it, add it to needs with that version)"
        )
    return problems, checked


def check_tree(
    root: str, names: TmuxNames | None, binary: bytes | None = None
) -> tuple[list[str], int, int]:
    """All problems as 'path: message' lines, the number of topics, and names checked.
    `binary` is the installed tmux's executable, to find the messages pages own in it."""
    problems: list[str] = []
    errors: dict[str, dict[str, list[str]]] = {lang: {} for lang in SUPPORTED}
    ids_by_lang = {
        lang: {os.path.basename(p)[:-3] for p in page_files(root, lang)} for lang in SUPPORTED
    }
    all_ids = set().union(*ids_by_lang.values())
    if not all_ids:
        return [f"{root}: no pages found"], 0, 0
    for lang, ids in ids_by_lang.items():
        for missing in sorted(all_ids - ids):
            problems.append(
                f"{os.path.join(root, lang, missing + '.md')}: missing (exists in another language)"
            )
    checked = 0
    for lang in SUPPORTED:
        for path in page_files(root, lang):
            rel = os.path.relpath(path)
            try:
                page = read_page(path, lang)
            except PageError as exc:
                problems.append(str(exc))
                continue
            page_problems = check_front(page, ids_by_lang[lang]) + check_body(page)
            owned = page.front.get("errors", [])
            if not isinstance(owned, list) or not all(isinstance(m, str) and m for m in owned):
                page_problems.append("'errors' must be a list of tmux messages (strings)")
            else:
                errors[lang][page.id] = owned
            if names is not None:
                found, n = check_names(page, names)
                page_problems += found
                checked += n
            problems += [f"{rel}: {p}" for p in page_problems]
    problems += _claim_problems(root, ids_by_lang.get("en", set()))
    problems += glossary_problems(root, names, all_ids)
    problems += error_problems(root, errors, binary)
    return problems, len(all_ids), checked


def glossary_problems(root: str, names: TmuxNames | None, ids: set[str]) -> list[str]:
    """knowledge/glossary (the one-line meanings `explain` gives): the same names in every
    language, each one known to the installed tmux (or listed in tmux-names.toml `newer`),
    and topics that name a page."""
    import tomllib

    folder = os.path.join(root, "glossary")
    if not os.path.isdir(folder):
        return []
    problems: list[str] = []
    tables: dict[str, dict[str, Any]] = {}
    for name in (*(f"{lang}.toml" for lang in SUPPORTED), "topics.toml"):
        path = os.path.join(folder, name)
        try:
            with open(path, "rb") as f:
                tables[name] = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{os.path.relpath(path)}: cannot be read: {exc}")
    try:
        with open(os.path.join(root, "tmux-names.toml"), "rb") as f:
            newer = set(tomllib.load(f).get("newer", {}))
    except (OSError, tomllib.TOMLDecodeError):
        newer = set()
    langs = [n for n in tables if n != "topics.toml"]
    for kind in ("options", "commands"):
        keys = {n: set(dict(tables[n].get(kind, {}))) for n in langs}
        every = set().union(*keys.values()) if keys else set()
        for n in langs:
            for missing in sorted(every - keys[n]):
                problems.append(f"{os.path.join(folder, n)}: [{kind}] lacks '{missing}'")
            for key, text in dict(tables[n].get(kind, {})).items():
                if not isinstance(text, str) or not text.strip():
                    problems.append(f"{os.path.join(folder, n)}: [{kind}] '{key}' is empty")
        if names is None:
            continue
        known = names.options if kind == "options" else names.commands
        for key in sorted(every):
            if key not in known and key not in newer:
                problems.append(
                    f"{folder}: unknown tmux {kind[:-1]} '{key}' (tmux {names.version} lacks it "
                    "and tmux-names.toml `newer` doesn't list it)"
                )
    topics = dict(tables.get("topics.toml", {}).get("topics", {}))
    for key, topic in sorted(topics.items()):
        if topic not in ids:
            problems.append(f"{os.path.join(folder, 'topics.toml')}: '{key}': no page '{topic}'")
        if names is not None and key not in names.options | names.commands | newer:
            problems.append(f"{os.path.join(folder, 'topics.toml')}: unknown tmux name '{key}'")
    return problems


def error_problems(
    root: str, errors: dict[str, dict[str, list[str]]], binary: bytes | None
) -> list[str]:
    """Each tmux message has one owner page, the same in every language, and (when the installed
    tmux can be read) occurs in tmux itself: a message tmux never prints explains nothing."""
    problems: list[str] = []
    langs = list(errors)
    for topic in sorted(set().union(*(set(e) for e in errors.values()))):
        lists = {lang: sorted(errors[lang].get(topic, [])) for lang in langs}
        if len({tuple(v) for v in lists.values()}) > 1:
            problems.append(
                f"{os.path.join(root, langs[0], topic + '.md')}: 'errors' differs between "
                + " and ".join(langs)
            )
    for lang in langs:
        owners: dict[str, list[str]] = {}
        for topic, messages in errors[lang].items():
            for message in messages:
                owners.setdefault(message.strip().lower(), []).append(topic)
        for message, topics in sorted(owners.items()):
            if len(topics) > 1:
                problems.append(
                    f"{os.path.join(root, lang)}: the message {message!r} has several owners: "
                    + ", ".join(sorted(topics))
                )
    if binary is not None:
        for topic, messages in sorted(errors[langs[0]].items()):
            for message in messages:
                core = message.strip().strip("[]").encode("utf-8")
                if core and core not in binary:
                    problems.append(
                        f"{os.path.join(root, langs[0], topic + '.md')}: the installed tmux never "
                        f"prints {message!r}"
                    )
    return problems


def tmux_executable(environ: dict[str, str], limit: int = 16 << 20) -> bytes | None:
    """The bytes of the tmux on PATH (for its message texts), or None."""
    from tmux_sensei import tmuxcmd

    binary = tmuxcmd.tmux_binary(environ)
    if binary is None:
        return None
    try:
        with open(binary, "rb") as f:
            return f.read(limit)
    except OSError:
        return None


def _claim_problems(root: str, ids: set[str]) -> list[str]:
    """Claim files (knowledge/claims/<id>.toml) must name a topic and quote its English page."""
    from tmux_sensei.claims import check_claim_files, claim_files

    if not claim_files(root):
        return []
    bodies: dict[str, str] = {}
    for topic in ids:
        try:
            bodies[topic] = read_page(os.path.join(root, "en", topic + ".md"), "en").body
        except PageError:
            continue  # reported with the pages
    return check_claim_files(root, bodies)


def run_check(env: Env, ui: str) -> int:
    from tmux_sensei.env import ExitStatus
    from tmux_sensei.loader import knowledge_dir
    from tmux_sensei.locales import strings_for

    strings = strings_for(ui)
    names = ask_tmux(dict(env.environ))
    if names is None:
        env.stderr.write(strings["kb.no_tmux"] + "\n")
    binary = tmux_executable(dict(env.environ)) if names is not None else None
    problems, topics, checked = check_tree(knowledge_dir(env.environ), names, binary)
    from tmux_sensei.textutil import sanitize

    for line in problems:  # they quote pages and paths: never raw
        env.stdout.write(sanitize(line, keep_newlines=False) + "\n")
    if problems or names is None:
        if problems:
            env.stdout.write(strings["kb.problems"].format(count=len(problems)) + "\n")
        return ExitStatus.PROBLEMS_FOUND
    env.stdout.write(
        strings["kb.ok"].format(
            topics=topics, langs=len(SUPPORTED), names=checked, version=names.version
        )
        + "\n"
    )
    return ExitStatus.ANSWERED
