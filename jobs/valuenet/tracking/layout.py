"""The tags and params of the runs of DESIGN.md section 5, built in one place.

`analyze` (while it computes) and `track` (from the Delta rows, afterwards) log the same
layout, so a year run looks the same whichever job logged it.
"""

from __future__ import annotations


def years_label(years: list[int]) -> str:
    """2022 for one year, 2014-2022 for a run of consecutive years, else 2014,2018 (as --years takes them)."""
    if len(years) == 1:
        return str(years[0])
    consecutive = years == list(range(years[0], years[-1] + 1))
    return f"{years[0]}-{years[-1]}" if consecutive else ",".join(map(str, years))


def parent_params(years: list[int], filter_text: str, settings_params: dict) -> dict:
    """The parent run's params: years, filter, algorithm settings."""
    return {"years": years_label(years), "filter": filter_text or "none", **settings_params}


def run_tags(data_source: str, warehouse: str, filter_text: str, runtime_versions: dict[str, str]) -> dict:
    """Tags of the parent and of every year run: data source, warehouse (credentials masked), filter,
    library versions."""
    from valuenet.tracking.runs import without_credentials

    return {"valuenet.data_source": data_source, "valuenet.warehouse": without_credentials(warehouse),
            "valuenet.filter": filter_text or "none",
            **{f"valuenet.version.{k}": v for k, v in runtime_versions.items()}}


def version_params(versions: dict[str, int]) -> dict:
    """A year run's params: the Delta versions of the input tables it read."""
    return {f"input_version_{t}": v for t, v in versions.items()}
