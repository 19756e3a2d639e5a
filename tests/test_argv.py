"""The one table-driven parser: prefixes, ambiguity, sanitised echoes, help from the tables."""

from __future__ import annotations

import io

import pytest

from tmux_sensei.argv import COMMANDS, help_text, parse
from tmux_sensei.cli import main
from tmux_sensei.env import Env, UsageError
from tmux_sensei.locales import strings_for


def run(*args: str, lang: str = "en") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    environ = {"LANG": "ja_JP.UTF-8" if lang == "ja" else "C.UTF-8", "NO_COLOR": "1"}
    environ["TMUX_SENSEI_HOME"] = "/nonexistent/sensei-test-home"
    code = main(list(args), Env(stdout=out, stderr=err, environ=environ, stdout_isatty=False))
    return code, out.getvalue(), err.getvalue()


def test_an_unambiguous_prefix_is_the_option() -> None:
    assert parse("ask", ["--no-diag", "hi"]).flag("no_diagnose")
    assert parse("doctor", ["--verb"]).flag("verbose")
    assert parse("learn", ["--la=ja"]).value("lang", "en") == "ja"
    assert parse("learn", ["--li"]).flag("list")


def test_an_ambiguous_prefix_names_the_candidates() -> None:
    with pytest.raises(UsageError) as caught:
        parse("learn", ["--l"])
    assert caught.value.key == "errors.ambiguous_option"
    assert caught.value.values["candidates"] == "--list, --lang"
    code, out, err = run("learn", "--l")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--list" in err and "--lang" in err


@pytest.mark.parametrize("command", ["report", "setup", "learn", "doctor", "ask", "explain"])
def test_an_echoed_option_is_sanitised(command: str) -> None:
    code, _, err = run(command, "--x\x1b]0;pwned\x07")
    assert code == 2 and "\x1b" not in err and "\x07" not in err and "--x" in err
    assert err.count("\n") == 1


def test_kb_claims_echoes_sanitised_too() -> None:
    code, _, err = run("kb", "claims", "--bad\x1b[2J")
    assert code == 2 and "\x1b" not in err


def test_a_flag_takes_no_value_and_a_value_option_needs_one() -> None:
    assert run("ask", "--no-diagnose=1", "hi")[0] == 2
    code, _, err = run("doctor", "--lang")
    assert code == 2 and "--lang" in err


def test_help_ask_prints_the_help_of_ask() -> None:
    code, out, _ = run("help", "ask")
    assert code == 0
    assert out == run("ask", "--help")[1]
    assert "--no-diagnose" in out and out != run("--help")[1]
    assert run("help", "kb", "claims")[1] == run("kb", "claims", "-h")[1]


def test_report_speaks_the_language_asked() -> None:
    code, out, _ = run("report", "--lang", "ja")
    assert code == 0
    ja, en = strings_for("ja"), strings_for("en")
    assert out.strip() in (ja["report.empty"], ja["report.off"]), out
    assert run("report")[1].strip() in (en["report.empty"], en["report.off"])


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_help_lists_its_options_and_exit_codes(command: str, lang: str) -> None:
    t = strings_for(lang)
    text = help_text(command, t)
    options, _, _, codes = COMMANDS[command]
    for long, short, _metavar, key in options:
        assert long in text and (not short or short in text)
        assert f"help.opt.{key}" in t, key  # written in locales/, not the key itself
    for code, key in codes:
        assert f"{code} {t['help.exit.' + key]}" in " ".join(text.split())
    assert "70 " in text and "130 " in text
    assert "--lang" in text  # every command prints words


def test_the_main_help_names_every_command() -> None:
    out = run("--help")[1]
    for command in COMMANDS:
        assert f"tmux-sensei {command}" in out
    assert "Exit status" in out


@pytest.mark.parametrize(
    "args",
    [
        ("help", "doctor", "--lang", "ja"),
        ("help", "--lang=ja", "doctor"),
        ("doctor", "--help", "--lang", "ja"),
        ("doctor", "-h", "--la", "ja"),
    ],
)
def test_help_speaks_the_language_asked(args: tuple[str, ...]) -> None:
    code, out, _ = run(*args, lang="en")
    assert code == 0
    assert out.startswith(strings_for("ja")["help.usage"] + ": tmux-sensei doctor")
    assert strings_for("ja")["help.about.doctor"].strip()[:20] in out


def test_help_refuses_an_unknown_language() -> None:
    code, out, err = run("help", "doctor", "--lang", "xx")
    assert code == 2 and not out
    assert "xx" in err
