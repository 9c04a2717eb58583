"""Edge attributes: the categories of technology cooperation, and weights.

tech_category / application_field / industry are set on technology-cooperation relations
only, drawn with the report's published shares (section 6), the unpublished rest spread
below them. ``industry`` is the receiving side's industry as a hierarchical string,
``"<sector> / <industry>"`` and for manufacturing ``"secondary / manufacturing /
<sub-industry>"`` (separator ``vocab.INDUSTRY_SEP``). Weights are 1.0; investments carry
a lognormal amount.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import vocab
from .codes import IV, TC
from .tables import string_column


def edge_attributes(rng, figs: dict, rel: np.ndarray) -> dict[str, pa.Array]:
    """Columns tech_category, application_field, industry and weight for relations of
    type codes ``rel``."""
    is_tc = rel == TC
    tnames, tp = _shares(figs["technology_categories"])
    anames, ap_ = _shares(figs["application_fields"])
    inames, ip = _industry_vocab(figs)
    cols = {"tech_category": _categories(rng, is_tc, tnames, tp),
            "application_field": _categories(rng, is_tc, anames, ap_),
            "industry": _categories(rng, is_tc, inames, ip)}
    weight = np.ones(len(rel))
    iv = rel == IV
    weight[iv] = np.round(rng.lognormal(0.0, 1.2, int(iv.sum())), 3) + 0.001
    cols["weight"] = pa.array(weight, pa.float64())
    return cols


def _categories(rng, mask: np.ndarray, names: list, p: np.ndarray) -> pa.Array:
    """A string column: a category drawn with p where mask, null elsewhere."""
    codes = np.full(len(mask), -1, np.int32)
    codes[mask] = rng.choice(len(names), size=int(mask.sum()), p=p)
    return string_column(codes, names)


def _shares(named: list, decay: float = 0.93) -> tuple[list, np.ndarray]:
    """Published shares for the listed items (rows of name, Chinese name, share), the rest spread
    (gently decaying) below the smallest published share, summing to 1."""
    names = [r[0] for r in named]
    pub = np.array([r[2] if r[2] is not None else np.nan for r in named], float)
    known = ~np.isnan(pub)
    rest = 1.0 - pub[known].sum()
    k = int((~known).sum())
    if k:
        w = decay ** np.arange(k)
        w = w / w.sum() * rest
        pub[~known] = w
    return names, pub / pub.sum()


def _industry_vocab(figs: dict) -> tuple[list, np.ndarray]:
    """The hierarchical industry strings and their shares: the published sector, industry
    and manufacturing sub-industry shares, each parent's unpublished rest spread evenly
    over the vocabulary's other industries."""
    ind = figs["industries"]
    sep = vocab.INDUSTRY_SEP
    names, probs = [], []
    sectors = ind["sectors"]

    def add(name: str, p: float) -> None:
        names.append(name)
        probs.append(p)

    ter = ind.get("tertiary", {})
    rest = 1.0 - sum(ter.values())
    for k, v in ter.items():
        add(f"tertiary{sep}{k}", sectors["tertiary"] * v)
    for k in vocab.OTHER_TERTIARY:
        add(f"tertiary{sep}{k}", sectors["tertiary"] * rest / len(vocab.OTHER_TERTIARY))
    sec = ind.get("secondary", {})
    rest = 1.0 - sum(sec.values())
    man = ind.get("manufacturing", {})
    mrest = 1.0 - sum(man.values())
    for k, v in sec.items():
        if k == "manufacturing":
            for mk, mv in man.items():
                add(f"secondary{sep}manufacturing{sep}{mk}", sectors["secondary"] * v * mv)
            for mk in vocab.OTHER_MANUFACTURING:
                add(f"secondary{sep}manufacturing{sep}{mk}",
                    sectors["secondary"] * v * mrest / len(vocab.OTHER_MANUFACTURING))
        else:
            add(f"secondary{sep}{k}", sectors["secondary"] * v)
    for k in vocab.OTHER_SECONDARY:
        add(f"secondary{sep}{k}", sectors["secondary"] * rest / len(vocab.OTHER_SECONDARY))
    for k in vocab.PRIMARY:
        add(f"primary{sep}{k}", sectors["primary"] / len(vocab.PRIMARY))
    p = np.array(probs)
    return names, p / p.sum()
