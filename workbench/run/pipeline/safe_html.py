"""Markdown from the inputs (a city folder's README, names, node ids) shown safely in a report.

A notebook that shows ``Markdown(text)`` of user text passes any HTML in it through to the
report: a ``<script>`` in a city's README would run when the report is opened.
:func:`safe_markdown` renders the Markdown with raw HTML escaped and harmful link protocols
removed (mistune), then keeps only a short list of formatting tags (bleach, as nbviewer does).
"""

from __future__ import annotations
import bleach
import mistune

__all__ = ["markdown_html", "safe_markdown"]

_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "a", "em", "strong",
                   "code", "pre", "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr",
                   "th", "td", "del"})
_ATTRIBUTES = {"a": ["href", "title"]}
_PROTOCOLS = frozenset({"http", "https", "mailto"})


def markdown_html(text: str) -> str:
    """``text`` (Markdown) as HTML holding only formatting tags and http(s)/mailto links.

    Examples
    --------
    >>> print(markdown_html("# Data\\n\\nOSM <script>alert(1)</script> [x](javascript:alert(2))"))
    <h1>Data</h1>
    <p>OSM &lt;script&gt;alert(1)&lt;/script&gt; <a href="#harmful-link">x</a></p>
    <BLANKLINE>
    >>> markdown_html("**ODbL**, <https://osm.org>")
    '<p><strong>ODbL</strong>, <a href="https://osm.org">https://osm.org</a></p>\\n'
    """
    markdown = mistune.create_markdown(escape=True, plugins=["table", "strikethrough", "url"])
    rendered = markdown(str(text))
    return bleach.clean(rendered, tags=_TAGS, attributes=_ATTRIBUTES, protocols=_PROTOCOLS,
                        strip=False)


def safe_markdown(text: str):
    """:func:`markdown_html` of ``text`` as an IPython ``HTML`` object, to show in a notebook."""
    from IPython.display import HTML
    return HTML(markdown_html(text))
