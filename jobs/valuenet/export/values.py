"""Values as the text of XML attributes and elements, and Spark types as GEXF / GraphML types.

Escaping (&, <, >, quotes, line breaks in attributes) is the XML writer's job
(xml.sax.saxutils.XMLGenerator); this module only makes text that XML 1.0 can hold at all.
"""

from __future__ import annotations

import json
import math
import re

from pyspark.sql import types as T

# Characters XML 1.0 cannot represent, not even escaped (C0 controls other than tab, line feed
# and carriage return; lone surrogates; U+FFFE and U+FFFF). A registry export may carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def xml_text(text: str) -> str:
    """`text` with each character that XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text)


def text(value) -> str:
    """A value as GEXF and GraphML readers parse it: booleans true/false, doubles exactly
    (shortest round-trip form; NaN, Infinity, -Infinity as Java and Python both read them),
    lists comma-joined, structs and maps as JSON, anything else (decimals, dates) as str()."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, (list, tuple)):
        return xml_text(",".join(text(v) for v in value))
    if isinstance(value, dict) or hasattr(value, "asDict"):
        value = value.asDict(recursive=True) if hasattr(value, "asDict") else value
        return xml_text(json.dumps(value, default=str, ensure_ascii=False))
    return xml_text(str(value))


def gexf_type(data_type: T.DataType) -> str:
    """The GEXF 1.3 attribute type of a Spark column (anything unusual is written as a string)."""
    if isinstance(data_type, (T.IntegerType, T.ShortType, T.ByteType)):
        return "integer"
    if isinstance(data_type, T.LongType):
        return "long"
    if isinstance(data_type, (T.DoubleType, T.FloatType, T.DecimalType)):
        return "double"
    if isinstance(data_type, T.BooleanType):
        return "boolean"
    return "string"


def graphml_type(data_type: T.DataType) -> str:
    """The GraphML attr.type of a Spark column (boolean, int, long, double or string)."""
    return {"integer": "int"}.get(gexf_type(data_type), gexf_type(data_type))
