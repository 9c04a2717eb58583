"""The year table (the report's Table 2) as text."""

from __future__ import annotations

from valuenet.metrics.definitions import YEAR_TABLE


def format_year_table(rows: list[dict], synthetic: bool = False) -> str:
    """A fixed-width table of network_metrics rows; columns never computed are left out, nulls shown as '-'."""
    columns = [(c, d) for c, d in YEAR_TABLE if any(r.get(c) is not None for r in rows)]

    def cell(value, decimals):
        if value is None:
            return "-"
        return f"{value:,.{decimals}f}" if decimals else f"{int(value):,}"

    table = [[c for c, _ in columns]] + [[cell(r.get(c), d) if c != "year" else str(r["year"]) for c, d in columns]
                                         for r in sorted(rows, key=lambda r: r["year"])]
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    lines = ["  ".join(v.rjust(w) for v, w in zip(row, widths)) for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if synthetic:
        lines.append("(synthetic sample: every figure is measured on generated data, not the private registry)")
    return "\n".join(lines)
