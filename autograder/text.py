"""Untrusted text made safe for where it lands: terminal, XML, Markdown, CSV, files.

Everything a submission produces (messages, printed output, names) is data. Each view
escapes it for its own medium with one of these, at the point where it is written:

    for_terminal("\\x1b]52;c;...\\x07[link=x]hi[/]")  -> "[link=x]hi[/]" with no escape bytes,
                                                         and markup escaped for rich
    for_xml("a\\x00b")                                -> "a\\ufffdb" (XML 1.0 forbids \\x00)
    for_markdown("![x](http://e)")                    -> text that renders as itself
    for_csv("=HYPERLINK(...)")                        -> "'=HYPERLINK(...)"
"""

from __future__ import annotations

import re

from rich.markup import escape as _rich_escape

# C0 controls except tab and newline, DEL, and the C1 controls (ESC-less CSI/OSC openers).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udfff]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~:@])")  # ':' and '@': GitHub's bare-URL and e-mail autolinks
_WWW = re.compile(r"(?i)(www)\.")
# "'" too: the escape's own mark, so that "=1+1" and "'=1+1" stay two different cells.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def clean(text: object) -> str:
    """A str with lone surrogates replaced, so it can be encoded (written to a file, a pipe)."""
    text = text if isinstance(text, str) else str(text)
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def plain(text: object) -> str:
    """Printable text: escape sequences and control characters removed (tabs and newlines kept)."""
    return _CONTROL.sub("", _ANSI.sub("", clean(text)))


def for_terminal(text: object) -> str:
    """For rich's console.print: no control bytes, and markup shown as the characters it is."""
    return _rich_escape(plain(text))


def for_xml(text: object) -> str:
    """For an XML text node or attribute (the serializer escapes <, & and quotes)."""
    return _XML_ILLEGAL.sub("\ufffd", clean(text))


def for_markdown(text: object) -> str:
    """One line of Markdown that renders as itself: no links, images, HTML or table breaks."""
    one_line = " ".join(plain(text).split())
    return _WWW.sub(r"\1\\.", _MARKDOWN_SPECIAL.sub(r"\\\1", one_line))


def for_csv(text: object) -> str:
    """A spreadsheet cell that is never a formula (OWASP: prefix a leading =, +, -, @ with '; a leading '
    gets one more, so no two texts escape alike)."""
    value = plain(text)
    return "'" + value if value.startswith(_FORMULA_START) else value
