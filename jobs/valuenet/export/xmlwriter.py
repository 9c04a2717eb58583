"""An indented, streaming XML writer over the standard library's XMLGenerator (which escapes)."""

from __future__ import annotations

from typing import BinaryIO
from xml.sax.saxutils import XMLGenerator

from valuenet.export.values import xml_text


class XmlWriter:
    """Writes elements one at a time to a binary file, two spaces of indent per level.

    Attribute values and text go through XMLGenerator, which escapes &, <, >, quotes and line
    breaks; characters XML cannot hold at all are replaced first (values.xml_text).
    """

    def __init__(self, out: BinaryIO):
        self._xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self._depth = 0

    def document(self) -> None:
        self._xml.startDocument()

    def _indent(self) -> None:
        self._xml.ignorableWhitespace("\n" + "  " * self._depth)

    @staticmethod
    def _attrs(attrs: dict | None) -> dict:
        return {k: xml_text(str(v)) for k, v in (attrs or {}).items() if v is not None}

    def start(self, name: str, attrs: dict | None = None) -> None:
        """Open an element that will have child elements."""
        if self._depth:
            self._indent()
        self._xml.startElement(name, self._attrs(attrs))
        self._depth += 1

    def end(self, name: str) -> None:
        self._depth -= 1
        self._indent()
        self._xml.endElement(name)

    def empty(self, name: str, attrs: dict | None = None) -> None:
        """An element without content: <name a="..."/>."""
        self._indent()
        self._xml.startElement(name, self._attrs(attrs))
        self._xml.endElement(name)

    def leaf(self, name: str, content: str, attrs: dict | None = None) -> None:
        """An element holding text: <name>content</name>."""
        self._indent()
        self._xml.startElement(name, self._attrs(attrs))
        self._xml.characters(xml_text(content))
        self._xml.endElement(name)

    def close(self) -> None:
        self._xml.ignorableWhitespace("\n")
        self._xml.endDocument()
