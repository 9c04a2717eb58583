"""The sample as pyarrow Tables in the input format of DESIGN.md section 2."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import vocab

NODE_SCHEMA = pa.schema([
    ("id", pa.string()), ("name", pa.string()), ("kind", pa.string()),
    ("org_type", pa.string()), ("province", pa.string()), ("city", pa.string()),
    ("founded_year", pa.int32()), ("is_platform", pa.bool_()),
])
EDGE_SCHEMA = pa.schema([
    ("src", pa.string()), ("dst", pa.string()), ("relation", pa.string()),
    ("start_year", pa.int32()), ("end_year", pa.int32()),
    ("tech_category", pa.string()), ("application_field", pa.string()),
    ("industry", pa.string()), ("weight", pa.float64()),
])


def string_column(codes: np.ndarray, names: list) -> pa.Array:
    """A string column from codes into ``names`` (null where the code is negative)."""
    codes = np.asarray(codes, np.int32)
    dic = pa.array(names, pa.string())
    arr = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32(), mask=codes < 0), dic)
    return arr.cast(pa.string())


def node_ids(rng, nt: int) -> pa.Array:
    """Registry ids: the numbers 1..nt in random order, zero-padded to at least 7 digits."""
    width = max(7, len(str(nt)))
    id_num = rng.permutation(nt) + 1
    return pc.utf8_lpad(pa.array(id_num).cast(pa.string()), width, "0")


def node_table(rng, ids: pa.Array, names, kind, org, prov, city, founded, is_plat) -> pa.Table:
    """The node table, rows shuffled (founded -1: unknown)."""
    nodes = pa.table({
        "id": ids,
        "name": pa.array(names, pa.string()),
        "kind": string_column(kind, list(vocab.KINDS)),
        "org_type": string_column(org, list(vocab.ORG_TYPES)),
        "province": pa.array(prov, pa.string()),
        "city": pa.array(city, pa.string()),
        "founded_year": pa.array(founded, pa.int32(), mask=founded < 0),
        "is_platform": pa.array(is_plat, pa.bool_()),
    }, schema=NODE_SCHEMA)
    return nodes.take(pa.array(rng.permutation(len(ids))))


def edge_table(ids: pa.Array, rows, attributes: dict[str, pa.Array]) -> pa.Table:
    """The edge table from edge rows (node indices into ``ids``, in file order) and their
    attribute columns."""
    return pa.table({
        "src": ids.take(pa.array(rows.src)),
        "dst": ids.take(pa.array(rows.dst)),
        "relation": string_column(rows.rel, list(vocab.RELATIONS)),
        "start_year": pa.array(rows.start.astype(np.int32), pa.int32()),
        "end_year": pa.array(rows.end.astype(np.int32), pa.int32(), mask=rows.end < 0),
        **attributes,
    }, schema=EDGE_SCHEMA)
