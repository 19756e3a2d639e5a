"""Language detection, text hygiene, widths and wrapping, tokens, locale files."""

from __future__ import annotations

import tomllib
from string import Formatter

import pytest
from conftest import REPO

from tmux_sensei.lang import detect, ui_language
from tmux_sensei.render import answer_terminal, inline_pieces
from tmux_sensei.textutil import sanitize, width, wrap_pieces
from tmux_sensei.tokens import Synonyms, stem, tokenize


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("なぜセッションが消えた？", "ja"),
        ("tmuxのprefixを変えたい", "ja"),
        ("ｔｍｕｘ　終了", "ja"),
        ("why did my session exit", "en"),
        ("tmux mouse scroll not working", "en"),
        ("escape-time", None),
        ("C-b d", None),
        ("???", None),
    ],
)
def test_detect(text: str, lang: str | None) -> None:
    assert detect(text) == lang


@pytest.mark.parametrize(
    ("environ", "flag", "expected"),
    [
        ({}, None, "en"),
        ({"LANG": "ja_JP.UTF-8"}, None, "ja"),
        ({"LANG": "ja_JP.UTF-8"}, "en", "en"),
        ({"LANG": "C", "LANGUAGE": "ja"}, None, "en"),
        ({"LANG": "POSIX"}, None, "en"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "ja:en"}, None, "ja"),
        ({"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, None, "ja"),
        ({"TMUX_SENSEI_LANG": "ja", "LANG": "en_US.UTF-8"}, None, "ja"),
        ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "fr:ja"}, None, "ja"),
        ({"LANG": "de_DE.UTF-8"}, None, "en"),
    ],
)
def test_ui_language_chain(environ: dict[str, str], flag: str | None, expected: str) -> None:
    assert ui_language(environ, flag) == expected


def test_sanitize_strips_every_escape_kind() -> None:
    raw = "a\x1b[31mb\x1b]0;title\x07c\x1b]52;c;Zm9v\x1b\\d\x9b2Je\x1bcf\x00g\x7fh\u202ei\r\nj"
    assert sanitize(raw) == "abcdefghi\nj"
    assert sanitize("line\nnext", keep_newlines=False) == "line next"


def test_widths_count_cjk_as_two() -> None:
    assert width("tmux") == 4
    assert width("セッション") == 10
    assert width("ｔｍｕｘ") == 8
    assert width("e\u0301") == 1


@pytest.mark.parametrize("columns", [20, 40, 80])
def test_wrap_never_exceeds_the_width(columns: int) -> None:
    sentence = (
        "tmux のセッション（session）は、サーバーが生きている限り残るんだ。"
        "`tmux attach -t main` で戻れるよ。 "
        "A long English sentence follows with `set -g remain-on-exit on` inside. "
    )
    path = "/a/very/long/path/without/any/space/" + "x" * 90 + "/logind.conf:2"
    text = sentence * 3 + f"設定（{path}）を見てね。"
    lines = wrap_pieces(inline_pieces(text), columns, "    ", "  • ")
    assert len(lines) > 1
    for line in lines:
        assert width("".join(t for _, t in line)) <= columns + 1  # kinsoku may hang one mark


def test_no_line_starts_with_closing_punctuation() -> None:
    text = "あ" * 19 + "。" + "い" * 10
    lines = wrap_pieces([("", text)], 40)
    assert not any("".join(t for _, t in line).startswith("。") for line in lines)


def test_no_line_ends_with_an_opening_bracket() -> None:
    text = "あ" * 18 + "（かっこの中身）" + "い" * 10
    lines = ["".join(t for _, t in line) for line in wrap_pieces([("", text)], 40)]
    assert not any(line.endswith("（") for line in lines), lines


def test_terminal_rendering_fits_40_columns_in_both_languages() -> None:
    blocks = [
        ("p", "**太字の短い答え。** そしてもう少し長い説明が続くよ。" * 3),
        ("ol", ["`C-b d` を押す"] * 2, 1),
        ("code", "sh", "tmux attach -t main"),
    ]
    answer = {
        "confident": True,
        "parts": [{"title": "デタッチするには？", "blocks": blocks}],
        "suggestions": ["How do I attach again?"],
        "notes": [],
    }
    out = answer_terminal(answer, {"answer.next": "次に"}, 40, color=False)
    assert all(width(line) <= 40 for line in out.splitlines())
    colored = answer_terminal(answer, {"answer.next": "次に"}, 40, color=True)
    assert "\x1b[36m" in colored and sanitize(colored) == out


def test_stem_and_tokens() -> None:
    assert (
        stem("sessions") == "session" and stem("detached") == "detach" and stem("copies") == "copy"
    )
    syn = Synonyms({"detach": ["detach", "デタッチ"]})
    ja = tokenize("デタッチしたらセッションが消えた", syn)
    assert "~detach" in ja and "セッション" in ja and "消え" in ja
    assert not any(t in ja for t in ("たら", "が消"))  # particles are not tokens
    en = tokenize("How to detach from remain-on-exit panes?", syn)
    assert {"~detach", "remain-on-exit", stem("panes")} <= set(en) and "how" not in en


def test_locale_files_share_keys_and_placeholders() -> None:
    def flat(d: dict, prefix: str = "") -> dict[str, str]:  # type: ignore[type-arg]
        out: dict[str, str] = {}
        for k, v in d.items():
            out.update(flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
        return out

    en = flat(tomllib.loads((REPO / "locales" / "en.toml").read_text("utf-8")))
    ja = flat(tomllib.loads((REPO / "locales" / "ja.toml").read_text("utf-8")))
    assert en.keys() == ja.keys()
    for key in en:
        fields = lambda s: {f for _, f, _, _ in Formatter().parse(s) if f}  # noqa: E731
        assert fields(en[key]) == fields(ja[key]), key


def test_latin_words_are_never_split_before_punctuation() -> None:
    text = (
        "Reattach: `tmux attach` (short: `tmux a`) picks the most recently used session that "
        "nobody is attached to; `tmux attach -t NAME` picks one by name "
        "(e.g. `tmux attach -t work`)."
    )
    for columns in range(24, 60):
        lines = ["".join(t for _, t in line) for line in wrap_pieces(inline_pieces(text), columns)]
        assert " ".join(lines).split() == text.replace("`", "").split(), columns
        assert all(width(line) <= columns for line in lines), columns


@pytest.mark.parametrize("columns", range(24, 61))
def test_wrapping_never_cuts_a_command_people_copy(columns: int) -> None:
    """An inline command stays on one line when it fits one; no Japanese line starts with a
    closing bracket or 。、 (whatever the width)."""
    from tmux_sensei.render import terminal_text

    blocks = [
        ("p", "Come back later with `tmux attach -t work` and everything is there（ここ）。"),
        ("p", "ターミナルで `tmux attach -t work` を実行しよう（名前がないなら `tmux a`）。次へ、"),
    ]
    text = terminal_text(blocks, columns, False)
    lines = text.splitlines()
    for command in ("tmux attach -t work", "tmux a）"):
        assert any(command in line for line in lines), (columns, lines)
    assert not any(line.lstrip()[:1] in "）」。、" for line in lines if line.strip()), lines


def test_a_grammatical_kanji_ending_a_compound_is_not_part_of_the_word() -> None:
    """再起動後 is 再起動 + "after", 接続中 is 接続 + "during": the same words as 再起動, 接続."""
    assert set(tokenize("再起動後に再アタッチ")) == set(tokenize("再起動して再アタッチ")) - {"動し"}
    assert "接続" in tokenize("接続中のセッション") and "続中" not in tokenize("接続中のセッション")
    assert "起動時" in tokenize("起動時に作りたい")  # 時 "at the time of" keeps its meaning
    assert tokenize("午後") == ["午後"]  # a two-kanji word is never cut
    # the kanji ends the whole text, with nothing after it
    assert tokenize("サーバー再起動後") == tokenize("サーバー再起動")
