"""A stored page as readable text: what the scrubbed evidence view shows instead of the raw source.

Scripts, styles and markup are left out (attributes such as ``mailto:`` links never reach the text);
block elements end a line, so the text keeps the page's layout roughly. The scrubber then removes
personal data from it, as the pipeline does for offers.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from plein.webwatch.extract import decode_html

MAX_TEXT_CHARS = 200_000
BLOCKS = (
    "title", "p", "div", "li", "tr", "td", "th", "dt", "dd", "br", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "nav", "aside", "table", "ul", "ol", "dl", "form", "address",
)  # fmt: skip


def readable_text(body: bytes, content_type: str = "") -> str:
    """The visible text of an HTML page, one block per line; empty for binary or unreadable content."""
    text, _problems = decode_html(body, content_type)
    if not text.strip():
        return ""
    try:
        tree = lxml_html.fromstring(text)
    except (etree.ParserError, ValueError):
        return ""
    for hidden in tree.xpath("//script|//style|//noscript|//template"):
        hidden.drop_tree()
    for element in tree.iter(*BLOCKS):
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().splitlines())
    return "\n".join(line for line in lines if line)[:MAX_TEXT_CHARS]
