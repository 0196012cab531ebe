"""Data text made safe for HTML and for Streamlit Markdown, on hostile values."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from assetmap.presentation.text import ECHO_MAX_CHARS, cut, html_text, markdown_text

WORD_JOINER = "\u2060"

#: Values a user can put in a link, a file name or an upload's names and types.
HOSTILE = [
    "![x](http://198.51.100.1/u.png)",
    "[click](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    "<script>window.__pwned=1</script>",
    ":red[alarm] :blue-background[x] :material/home: :smile: :streamlit:",
    "$x^2$ and $$\\frac{a}{b}$$",
    "**bold** _it_ `code` ~~gone~~",
    "# heading",
    "- item",
    "1. item",
    "> quote",
    "| a | b |",
    "line one\n\n# line two\r\n- three\tfour",
    "A & B &amp; C",
    "http://198.51.100.1/x www.example.com someone@example.com",
    "\\*not bold\\*",
    "'quotes' \"and\" =equals=",
]


def _unescape_markdown(text: str) -> str:
    """What CommonMark shows for text of backslash escapes (and the word joiners added)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace(WORD_JOINER, "")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


def test_cut_keeps_short_values_and_marks_a_cut() -> None:
    assert cut("Leeds") == "Leeds"
    assert cut("x" * ECHO_MAX_CHARS) == "x" * ECHO_MAX_CHARS
    long = cut("y" * 60_000)
    assert len(long) == ECHO_MAX_CHARS
    assert long.endswith("…")
    assert cut(12345, limit=3) == "12…"
    assert cut("abc", limit=0) == "…"  # an ellipsis alone; never an error


@pytest.mark.parametrize("value", HOSTILE)
def test_html_text_forms_no_tag_and_reads_back_the_same(value: str) -> None:
    escaped = html_text(value)
    assert not set("<>\"'") & set(escaped)
    parser = _Tags()
    parser.feed(f"<div>{escaped}</div>")
    parser.close()
    assert parser.tags == ["div"]
    # Once escaped, shown as the original characters: no double escaping.
    assert parser.text == value
    assert html.unescape(escaped) == value


def test_html_text_escapes_once() -> None:
    assert html_text("A & B") == "A &amp; B"
    assert html_text("A &amp; B") == "A &amp;amp; B"  # the text "&amp;" stays that text
    assert html_text(3) == "3"


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_text_is_literal(value: str) -> None:
    escaped = markdown_text(value)
    # Nothing Markdown or Streamlit reads as markup is left unescaped.
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)
    assert not re.search(r"[\\`*_{}\[\]()#+\-.!|~$:<>&\"'=/]", unescaped), escaped
    # No line break survives (a newline could start a heading, a list or a table).
    assert not set("\n\r\t") & set(escaped)
    # Shown, it reads as the value with its whitespace runs as single spaces.
    assert _unescape_markdown(escaped) == re.sub(r"\s+", " ", value)


def test_markdown_text_neutralises_what_streamlit_finds_in_text() -> None:
    # Streamlit swaps ":material/" for an icon in the source, before any escape is read.
    assert ":material/" not in markdown_text(":material/home:")
    # Shortcodes (emoji, the Streamlit logo) and bare addresses (links) are found in the text
    # after the escapes are read: a word joiner breaks each.
    joined = markdown_text(":smile: :streamlit: HTTPS://h/x www.h.org a@h.org")
    plain = re.sub(r"\\(.)", r"\1", joined)
    assert not re.search(r":[\w+-]+:", plain)
    assert not re.search(r"(?i)https?://|www\.|@[\w-]", plain)
    assert plain.replace(WORD_JOINER, "") == ":smile: :streamlit: HTTPS://h/x www.h.org a@h.org"


def test_markdown_text_image_and_link_syntax_cannot_form() -> None:
    escaped = markdown_text("![x](http://198.51.100.1/u.png)")
    assert escaped.startswith("\\!\\[x\\]\\(")
    assert "](" not in escaped
    assert "http://" not in escaped


def test_markdown_text_cuts_long_values_first() -> None:
    value = "![x](http://198.51.100.1/u.png)" * 2_000  # about 60 kB
    escaped = markdown_text(value, limit=ECHO_MAX_CHARS)
    shown = _unescape_markdown(escaped)
    assert len(shown) == ECHO_MAX_CHARS
    assert shown.endswith("…")
    assert value.startswith(shown[:-1])
    # Every kept character is escaped, and nothing of the rest is echoed.
    assert len(escaped) < 3 * ECHO_MAX_CHARS
    assert markdown_text(value) != escaped  # no limit: whole


def test_markdown_text_keeps_plain_words_plain() -> None:
    assert markdown_text("Cheshire and Merseyside") == "Cheshire and Merseyside"
    assert markdown_text("St. Helens") == "St\\. Helens"
    assert markdown_text("A & B") == "A \\& B"
    assert markdown_text(1601) == "1601"
