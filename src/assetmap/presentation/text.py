"""Data text made safe for the markup it is put in: one helper for each kind of markup.

Names, types, file names and URL parameters come from users and publishers; they are text, never
markup. Every place that puts such a value into HTML (folium layer names, tooltips, popups, map
legends, saved HTML maps) goes through :func:`html_text`; every place that puts one into
Streamlit Markdown (``st.markdown``, ``st.caption``, ``st.info``, ``st.warning``...) through
:func:`markdown_text`. :func:`cut` shortens a value that is echoed back to the user.
"""

from __future__ import annotations

import html
import re
from typing import Final

#: Longest echo of a user's value (an unknown area, a file name) in a notice.
ECHO_MAX_CHARS: Final = 80

# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones
# Markdown, GitHub-flavoured Markdown or Streamlit give a meaning (emphasis, links and images,
# headings, lists, tables, code, LaTeX ``$``, colour directives ``:red[...]``, and the ``/`` of
# ``:material/home:``, which Streamlit turns into an icon in the source before it parses it).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:<>&\"'=/])")

# Some markup is found in the text after the escapes are read: GitHub-flavoured Markdown makes
# links of bare web and e-mail addresses (``http\://host`` is still one), and Streamlit makes
# emoji and its logo of shortcodes (``:smile:``, ``:streamlit:``). A WORD JOINER (U+2060:
# invisible, no line break) inside ``://``, after ``www`` and ``@``, and after the colon that
# opens a shortcode leaves none of them to find.
_FOUND_IN_TEXT = re.compile(
    r"(?i)(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=www)(?=\.)|(?<=@)|(?<=:)(?=[\w+-]+:)"
)
_WORD_JOINER: Final = "\u2060"


def cut(value: object, limit: int = ECHO_MAX_CHARS) -> str:
    """The value as text, at most ``limit`` characters (an ellipsis marks a cut).

    Parameters
    ----------
    value
        Anything; ``str()`` of it is used.
    limit
        Most characters kept, the ellipsis included.

    Returns
    -------
    str
    """
    text = str(value)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def html_text(value: object) -> str:
    """The value as HTML text: ``& < > " '`` escaped, so no tag or attribute can form.

    Parameters
    ----------
    value
        Anything; ``str()`` of it is used.

    Returns
    -------
    str
    """
    return html.escape(str(value), quote=True)


def markdown_text(value: object, limit: int | None = None) -> str:
    """The value as literal Markdown text: every character Markdown or Streamlit would read as
    markup backslash-escaped, line breaks as spaces, web and e-mail addresses kept from
    becoming links and shortcodes from becoming emoji, optionally cut to ``limit`` characters.

    ``![x](http://host/u.png)`` then shows as those characters instead of loading an image,
    ``:red[x]``, ``:material/home:`` and ``$x$`` as themselves instead of colour, an icon or
    LaTeX, and ``<b>`` as text.

    Parameters
    ----------
    value
        Anything; ``str()`` of it is used.
    limit
        Cut the text to this many characters first (see :func:`cut`); ``None`` keeps it whole.

    Returns
    -------
    str
    """
    text = str(value) if limit is None else cut(value, limit)
    text = re.sub(r"\s+", " ", text)
    text = _FOUND_IN_TEXT.sub(_WORD_JOINER, text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
