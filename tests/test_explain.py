"""`tmux-sensei explain`: a tmux.conf judged line by line by a throwaway tmux server."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO, requires_tmux, sensei, tmux

from tmux_sensei.explain_parse import statements
from tmux_sensei.kbcheck import ask_tmux, glossary_problems

FIXTURES = REPO / "tests" / "fixtures" / "explain"
DONE_WHEN = {  # line -> (status, words the explanation or fix must hold)
    2: ("problem", "set -g mouse on"),
    3: ("problem", "utf8"),
    4: ("note", "set -g status-style bg=colour235"),
    5: ("problem", "bind -T copy-mode-vi v send -X begin-selection"),
    6: ("problem", "set -g history-limit 5000"),
    7: ("ok", "mouse"),
    8: ("ok", "mode-keys"),
    9: ("problem", "set -g pane-border-style fg=red"),
}


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A user environment whose own tmux lives in a private TMUX_TMPDIR."""
    env = dict(os.environ)
    for name in ("TMUX", "TMUX_PANE", "NO_COLOR", "FORCE_COLOR", "TMUX_SENSEI_LANG"):
        env.pop(name, None)
    user_tmp = tmp_path / "user-tmux"
    user_tmp.mkdir(exist_ok=True)
    env.update(
        TMUX_TMPDIR=str(user_tmp),
        TMUX_SENSEI_HOME=str(tmp_path / "sensei"),
        HOME=str(tmp_path / "home"),
        COLUMNS="100",
    )
    (tmp_path / "home").mkdir(exist_ok=True)
    env.update(extra)
    return env


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    text = (FIXTURES / name).read_text("utf-8").replace("@DIR@", str(tmp_path))
    target.write_text(text, "utf-8")
    return target


def explain_json(path: Path, tmp_path: Path, lang: str) -> tuple[int, dict[str, object]]:
    p = sensei("explain", str(path), "--json", "--lang", lang, env=env_for(tmp_path))
    assert p.stderr == b"", p.stderr
    return p.returncode, json.loads(p.stdout)


def by_line(doc: dict[str, object]) -> dict[int, dict[str, object]]:
    lines = doc["lines"]
    assert isinstance(lines, list)
    return {int(line["line"]): line for line in lines}


@requires_tmux
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_done_when_config(tmp_path: Path, lang: str) -> None:
    conf = copy_fixture("done-when.conf", tmp_path)
    os.utime(conf, (1_000_000_000, 1_000_000_000))
    before = conf.read_bytes()
    code, doc = explain_json(conf, tmp_path, lang)
    assert code == 1
    assert doc["tmux"] and doc["file"] == str(conf)
    lines = by_line(doc)
    for number, (status, words) in DONE_WHEN.items():
        line = lines[number]
        assert line["status"] == status, (number, line)
        assert words in f"{line['explanation']} {line['fix']}", (number, line)
        assert line["explanation"]
        if status == "problem":
            assert line["fix"], line
    # the valid lines are explained, never flagged as problems
    assert lines[10]["status"] in ("ok", "note")
    assert "default-terminal" in str(lines[10]["explanation"])
    assert lines[7]["topic"] == "mouse"
    if lang == "ja":
        assert all(any(ord(c) > 0x3000 for c in str(lines[n]["explanation"])) for n in lines)
    assert doc["parse_error"] is not None and doc["parse_error"]["line"] == 5  # type: ignore[index]
    assert conf.read_bytes() == before
    assert conf.stat().st_mtime == 1_000_000_000


@requires_tmux
def test_terminal_output_marks_and_plain_when_piped(tmp_path: Path) -> None:
    conf = copy_fixture("done-when.conf", tmp_path)
    p = sensei("explain", str(conf), "--lang", "en", env=env_for(tmp_path))
    out = p.stdout.decode()
    assert p.returncode == 1
    assert "\x1b" not in out
    assert "✗ " in out and "✓ " in out and "! " in out
    assert "set -g mouse on" in out
    assert "stops at the first parse error" in out
    colored = sensei("explain", str(conf), env=env_for(tmp_path, FORCE_COLOR="1"))
    assert "\x1b[" in colored.stdout.decode()
    plain = sensei("explain", str(conf), env=env_for(tmp_path, FORCE_COLOR="1", NO_COLOR="1"))
    assert "\x1b" not in plain.stdout.decode()


@requires_tmux
def test_no_shell_command_of_the_file_runs(tmp_path: Path) -> None:
    conf = copy_fixture("no-shell.conf", tmp_path)
    copy_fixture("sourced.conf", tmp_path)
    code, doc = explain_json(conf, tmp_path, "en")
    made = sorted(p.name for p in tmp_path.iterdir() if p.name[0] in "XYZ")
    assert made == []
    lines = by_line(doc)
    assert "never runs it" in str(lines[3]["explanation"])
    assert "touch" in str(lines[7]["explanation"])  # #(...) explained
    included = doc["included"]
    assert isinstance(included, list) and included[0]["file"].endswith("sourced.conf")
    loop = {int(line["line"]): line for line in included[0]["lines"]}[3]
    assert "loop" in str(loop["explanation"])
    assert code == 0


@requires_tmux
def test_notes(tmp_path: Path) -> None:
    conf = copy_fixture("notes.conf", tmp_path)
    code, doc = explain_json(conf, tmp_path, "en")
    lines = by_line(doc)
    assert code == 1  # the typo'd option
    assert lines[2]["status"] == "note" and "default" in str(lines[2]["explanation"])
    assert lines[4]["status"] == "note" and "Line 3" in str(lines[4]["explanation"])
    assert lines[6]["status"] == "note" and "line 5" in str(lines[6]["explanation"])
    assert lines[8]["status"] == "note" and "line 7" in str(lines[8]["explanation"])
    assert lines[9]["status"] == "note" and "terminfo" in str(lines[9]["explanation"])
    assert lines[10]["status"] == "note" and "3.4" in str(lines[10]["explanation"])
    assert lines[11]["status"] == "problem" and "history-limit" in str(lines[11]["fix"])


@requires_tmux
def test_json_shape(tmp_path: Path) -> None:
    conf = copy_fixture("done-when.conf", tmp_path)
    _, doc = explain_json(conf, tmp_path, "en")
    assert {"file", "tmux", "lines"} <= set(doc)
    lines = doc["lines"]
    assert isinstance(lines, list)
    for line in lines:
        assert set(line) == {"line", "text", "status", "explanation", "fix", "topic"}
        assert line["status"] in ("ok", "note", "problem")
        assert isinstance(line["line"], int) and isinstance(line["text"], str)
    assert by_line(doc)[2]["text"] == "set -g mode-mouse on"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_missing_file_is_a_usage_error(tmp_path: Path, lang: str) -> None:
    p = sensei("explain", str(tmp_path / "nope.conf"), "--lang", lang, env=env_for(tmp_path))
    assert p.returncode == 2
    assert p.stdout == b""
    assert len(p.stderr.decode().strip().splitlines()) == 1
    assert "nope.conf" in p.stderr.decode()


def test_no_config_and_bad_options(tmp_path: Path) -> None:
    p = sensei("explain", env=env_for(tmp_path, XDG_CONFIG_HOME=str(tmp_path / "xdg")))
    assert p.returncode == 2 and len(p.stderr.decode().strip().splitlines()) == 1
    assert sensei("explain", "--bogus", env=env_for(tmp_path)).returncode == 2
    assert sensei("explain", "a", "b", env=env_for(tmp_path)).returncode == 2
    p = sensei("explain", str(tmp_path), env=env_for(tmp_path))  # a directory
    assert p.returncode == 2 and len(p.stderr.decode().strip().splitlines()) == 1


@requires_tmux
def test_default_config_is_every_file_tmux_loads(tmp_path: Path) -> None:
    """tmux reads ~/.tmux.conf and then the XDG file too (both, checked on a real server), so
    explain reads both, in that order, and a problem in either counts."""
    env = env_for(tmp_path, XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    xdg = tmp_path / "xdg" / "tmux" / "tmux.conf"
    xdg.parent.mkdir(parents=True)
    xdg.write_text("set -g mouse on\n", "utf-8")
    p = sensei("explain", "--json", env=env)
    doc = json.loads(p.stdout)
    assert p.returncode == 0 and doc["file"] == str(xdg) and doc["also_loaded"] == []
    home = tmp_path / "home" / ".tmux.conf"
    home.write_text("set -g status-position top\n", "utf-8")
    xdg.write_text("set -g mode-mouse on\n", "utf-8")
    p = sensei("explain", "--json", env=env)
    doc = json.loads(p.stdout)
    assert doc["file"] == str(home) and [d["file"] for d in doc["also_loaded"]] == [str(xdg)]
    assert p.returncode == 1 and doc["problems"] == 1  # the XDG file's removed option
    text = sensei("explain", env=env).stdout.decode()
    assert text.index(str(home)) < text.index(str(xdg)) and "mode-mouse" in text

    sock = f"explain-both-{os.getpid()}"  # in the test's own TMUX_TMPDIR (env)
    tmux(sock, "new-session", "-d", env=env)
    try:
        loaded = tmux(sock, "display-message", "-p", "#{config_files}", env=env).strip()
    finally:
        tmux(sock, "kill-server", env=env)
    assert loaded.split(",") == [str(home), str(xdg)]  # what tmux itself loaded


@requires_tmux
def test_escapes_from_the_file_never_reach_the_terminal(tmp_path: Path) -> None:
    conf = tmp_path / "evil.conf"
    conf.write_bytes(b"set -g status-left '\x1b]0;owned\x07x'\nset -g \x1b[2Jmouse on\n")
    for args in ((), ("--json",)):
        p = sensei("explain", str(conf), *args, env=env_for(tmp_path, FORCE_COLOR="1"))
        out = p.stdout.decode()
        assert "\x1b]" not in out and "\x1b[2J" not in out and "\x07" not in out


@requires_tmux
def test_users_servers_are_never_touched(tmp_path: Path) -> None:
    """A user's server on the default socket keeps its options; explain leaves no server."""
    env = env_for(tmp_path)
    user_tmp = Path(env["TMUX_TMPDIR"])
    tmux = shutil.which("tmux")
    assert tmux
    import subprocess

    def user(*args: str) -> str:
        return subprocess.run(
            [tmux, *args], capture_output=True, text=True, env=env, timeout=10
        ).stdout

    user("-f", os.devnull, "new-session", "-d", "-s", "mine")
    try:
        socket = user("display-message", "-p", "#{socket_path}").strip()
        assert socket.startswith(str(user_tmp))
        conf = tmp_path / "c.conf"
        conf.write_text("set -g mouse on\nset -g status off\nunbind -a\n", "utf-8")
        env_inside = dict(env, TMUX=f"{socket},1,0")  # as if run from inside that server
        p = sensei("explain", str(conf), "--json", env=env_inside)
        assert p.returncode == 0, p.stderr
        assert user("show-options", "-gv", "mouse").strip() == "off"
        assert user("show-options", "-gv", "status").strip() == "on"
        assert user("list-keys", "-T", "prefix").strip()
        assert sorted(p.name for p in user_tmp.rglob("*") if p.is_socket()) == [Path(socket).name]
    finally:
        user("kill-server")
    assert not _explain_servers()


def _explain_servers() -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if b"sensei-explain-" in cmdline:
                found.append(entry)
    return found


def test_statements_group_continued_lines() -> None:
    text = "set -g a \\\n  b\nbind x {\n  display hi\n}\n# c\n%if 1\nset -g c d\n%endif\n"
    sts = statements(text)
    assert [(s.line, s.last) for s in sts] == [(1, 2), (3, 5), (7, 7), (8, 8), (9, 9)]
    assert sts[3].in_condition and not sts[0].in_condition
    assert [w.text for w in statements("set -g x y ; run z\n")[0].commands()[1]] == ["run", "z"]


def test_glossary_is_big_enough_and_bilingual() -> None:
    import tomllib

    en = tomllib.loads((REPO / "knowledge" / "glossary" / "en.toml").read_text("utf-8"))
    ja = tomllib.loads((REPO / "knowledge" / "glossary" / "ja.toml").read_text("utf-8"))
    assert len(en["options"]) + len(en["commands"]) >= 150
    assert set(en["options"]) == set(ja["options"]) and set(en["commands"]) == set(ja["commands"])


@requires_tmux
def test_kb_check_verifies_glossary_names(tmp_path: Path) -> None:
    names = ask_tmux()
    assert names is not None
    kb = REPO / "knowledge"
    ids = {p.stem for p in (kb / "en").glob("*.md")}
    assert glossary_problems(str(kb), names, ids) == []
    broken = tmp_path / "kb"
    shutil.copytree(kb / "glossary", broken / "glossary")
    shutil.copy(kb / "tmux-names.toml", broken / "tmux-names.toml")
    for lang in ("en", "ja"):
        path = broken / "glossary" / f"{lang}.toml"
        path.write_text(path.read_text("utf-8") + 'mouse-sparkle = "no such option"\n', "utf-8")
    problems = glossary_problems(str(broken), names, ids)
    assert any("mouse-sparkle" in p for p in problems)


def test_without_tmux_the_file_is_still_explained(tmp_path: Path) -> None:
    conf = copy_fixture("done-when.conf", tmp_path)
    p = sensei("explain", str(conf), "--json", env=env_for(tmp_path, PATH="/nonexistent"))
    lines = by_line(json.loads(p.stdout))
    assert p.returncode == 1
    assert [lines[n]["status"] for n in (2, 5, 6, 7)] == ["problem", "problem", "problem", "ok"]
    assert "set -g history-limit 5000" in str(lines[6]["fix"])


@requires_tmux
def test_config_in_the_conversation(tmp_path: Path) -> None:
    from tmux_sensei.cli import Env
    from tmux_sensei.repl import ReplState, command

    env = env_for(tmp_path, TMUX_SENSEI_LANG="en")
    (tmp_path / "home" / ".tmux.conf").write_text("set -g mode-mouse on\n", "utf-8")
    state = ReplState(Env(environ=env, stdout_isatty=False))
    text, keep_going = command("/config", state, 80, False)
    assert keep_going and "set -g mouse on" in text and "✗" in text
    (tmp_path / "home" / ".tmux.conf").unlink()
    env["XDG_CONFIG_HOME"] = str(tmp_path / "none")
    text, _ = command("/config", ReplState(Env(environ=env, stdout_isatty=False)), 80, False)
    assert "no tmux config" in text


def test_doctor_points_at_explain_when_a_config_exists(tmp_path: Path) -> None:
    from tmux_sensei.doctor import doctor_text, explain_pointer
    from tmux_sensei.locales import strings_for

    env = env_for(tmp_path, XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    assert explain_pointer(strings_for("en"), env) == ""
    (tmp_path / "home" / ".tmux.conf").write_text("set -g mouse on\n", "utf-8")
    assert "tmux-sensei explain" in explain_pointer(strings_for("ja"), env)
    text = doctor_text([], strings_for("en"), verbose=False, color=False, columns=80, environ=env)
    assert "tmux-sensei explain" in text.splitlines()[-1]


def test_words_split_as_tmux_splits_them() -> None:
    """An unquoted `;` ends a command even inside a word; `\\;` is an argument."""
    [st] = statements("set -g mouse on;run-shell 'touch X'\n")
    assert [[w.text for w in c] for c in st.commands()] == [
        ["set", "-g", "mouse", "on"],
        ["run-shell", "touch X"],
    ]
    [st] = statements("bind r source x \\; display ok\n")
    assert len(st.commands()) == 1
    [st] = statements('set -g status-right "a\nrun b"\n')
    assert (st.line, st.last) == (1, 2)


def test_only_set_and_bind_lists_are_applied() -> None:
    from tmux_sensei.explain import _only_safe

    assert _only_safe("set-option -g mouse on")
    assert _only_safe("bind-key r source /x \\; display ok")
    assert not _only_safe('set-option -g mouse on ; run-shell "touch X"')
    assert not _only_safe("bind-key x { display-message hi ; run-shell y }")
    assert not _only_safe("if-shell true { set-option -g status off }")
