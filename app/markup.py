"""The one home for showing user-derived text through a Markdown renderer.

Streamlit renders Markdown in st.markdown/caption/write/info/…, headings, every widget label,
`help=` tooltips, radio and pills options, tab, expander and metric labels, progress and spinner
text and toasts; the Markdown report is read by Markdown viewers. A name such as
`![t](http://198.51.100.7/x.png)` shown there becomes an <img> that the browser fetches.

Policy: text we did not write (node, column, dataset and file names, file metadata, lesson
text from a user file, and every message built from input) passes through `md()` when it is put
into a Markdown string; text shown through st.text, st.code, st.dataframe or selectbox options is
not Markdown and is shown as is. Strings that are already Markdown (our own sentences with
`**bold**`) escape each value they interpolate, never the whole sentence.
"""
from __future__ import annotations

import re
import string

# CommonMark §2.4: any ASCII punctuation character may be backslash-escaped, and then stands for
# itself. Escaping all of them disarms images, links, `<https://…>` autolinks, raw HTML
# (`\<img`), entities (`\&lt;`), emphasis, code spans, tables, headings, list markers, and
# Streamlit's extensions ($math$, :color[text] directives) in one rule, wherever the text lands.
_PUNCTUATION = frozenset(string.punctuation)
# GFM also turns bare `http://…`, `https://…` and `www.…` into links, after escapes are read
# (mdast-util-gfm-autolink-literal searches the text). An invisible WORD JOINER (U+2060) inside
# the prefix stops that, so a name that is a URL is shown as text, never as a link.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(https?:/)(?=/)|(www)(?=\.)", re.IGNORECASE)
_TAG = re.compile(r"<(?=[A-Za-z/!?])")


def md(text: object) -> str:
    """`text` as Markdown that renders exactly as the literal text (no markup, no HTML, no URL).

    Line breaks are kept; each line's punctuation is escaped, so no line can start a block.
    A URL prefix gets an invisible WORD_JOINER so it is not turned into a link."""
    text = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, str(text))
    return "".join("\\" + c if c in _PUNCTUATION else c for c in text)


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")     # a backslash before ASCII punctuation


def as_shown(markdown: object) -> str:
    """What escaped Markdown displays: `md`'s backslashes and word joiners undone (for checks
    that read page sources as a person reads the page, e.g. tests and the load-test client)."""
    return _ESCAPED.sub(r"\1", str(markdown)).replace(WORD_JOINER, "")


def md_authored(text: object) -> str:
    """Markdown someone else wrote (a lesson file, a checker's prompt): bold, lists, links and
    code stay, but nothing in it can make the browser fetch: `![` never starts an image (its `[`
    is escaped) and `<` never starts raw HTML (written `&lt;` before a tag name, `/`, `!` or `?`;
    an entity, unlike a backslash, cannot be undone by a backslash the author wrote before it)."""
    return _TAG.sub("&lt;", str(text).replace("![", "!\\["))


def md_line(text: object) -> str:
    """`md(text)` on one line (whitespace runs collapsed): for table cells, headings and labels."""
    return md(" ".join(str(text).split()))


def md_names(names, empty: str = "none") -> str:
    """Several names as escaped Markdown, comma-separated (`empty` when there are none)."""
    names = [md_line(n) for n in names]
    return ", ".join(names) if names else empty


__all__ = ["WORD_JOINER", "as_shown", "md", "md_authored", "md_line", "md_names"]
