"""The growing network: the relations drawn so far, and the relations of the year being drawn."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .draws import merged


@dataclass
class Network:
    """Every relation drawn so far, one row per relation in drawing order, and the nodes'
    state. A relation is open (end -1) until an exit or an ending closes it."""

    nt: int                               # registry size (pair keys are src * nt + dst)
    src: np.ndarray = field(init=False)   # per relation: enabling / investing node
    dst: np.ndarray = field(init=False)   # ... receiving / invested node
    start: np.ndarray = field(init=False)  # ... start year
    end: np.ndarray = field(init=False)   # ... end year, -1: open
    first: np.ndarray = field(init=False)  # ... a new node's first relation
    forced_tc: np.ndarray = field(init=False)  # ... technology cooperation by construction (platform
    #                                       ties and co-partner relations)
    tc_keys: list = field(init=False)     # keys of relations made technology cooperation afterwards
    keys: np.ndarray = field(init=False)  # sorted keys of every pair ever drawn
    present: np.ndarray = field(init=False)  # per node: in the network (joined, not left)
    left: np.ndarray = field(init=False)  # ... left the network (an exit)
    depth: np.ndarray = field(init=False)  # ... depth in a diffusion chain (0: not a chain member)

    def __post_init__(self):
        self.src = np.empty(0, np.int64)
        self.dst = np.empty(0, np.int64)
        self.start = np.empty(0, np.int16)
        self.end = np.empty(0, np.int16)
        self.first = np.empty(0, bool)
        self.forced_tc = np.empty(0, bool)
        self.tc_keys = []
        self.keys = np.empty(0, np.int64)
        self.present = np.zeros(self.nt, bool)
        self.left = np.zeros(self.nt, bool)
        self.depth = np.zeros(self.nt, np.int64)

    def active(self) -> np.ndarray:
        """Relations still open."""
        return self.end < 0

    def degrees(self, active: np.ndarray) -> np.ndarray:
        """Per node: its number of relations among ``active`` (both directions)."""
        return (np.bincount(self.src[active], minlength=self.nt)
                + np.bincount(self.dst[active], minlength=self.nt))

    def add_year(self, yd: YearDraw) -> None:
        """Append the relations of a fully drawn year (they start that year, open)."""
        src = np.concatenate([yd.fixed_src] + yd.extra_src)
        dst = np.concatenate([yd.fixed_dst] + yd.extra_dst)
        forced_tc = np.zeros(len(src), bool)
        forced_tc[yd.forced_tc] = True
        first = np.zeros(len(src), bool)
        first[:yd.n_fixed] = yd.fixed_first
        self.forced_tc = np.concatenate([self.forced_tc, forced_tc])
        self.first = np.concatenate([self.first, first])
        self.src = np.concatenate([self.src, src])
        self.dst = np.concatenate([self.dst, dst])
        self.start = np.concatenate([self.start, np.full(len(src), yd.year, np.int16)])
        self.end = np.concatenate([self.end, np.full(len(src), -1, np.int16)])
        self.keys = merged(yd.carried_keys, yd.drawn_keys)


@dataclass
class YearDraw:
    """The relations of one year while they are drawn: the fixed ones (hub relations and the
    newcomers' first relations), then the extra ones, stage by stage, up to the year's budget."""

    yi: int                  # year index
    year: int
    is_last: bool            # the last year of the table (the hubs' degrees are final)
    active: np.ndarray       # the network's relations carried into the year
    n_extra: int             # extra relations the year needs
    fixed_src: np.ndarray
    fixed_dst: np.ndarray
    fixed_first: np.ndarray  # per fixed relation: a newcomer's first relation
    carried_keys: np.ndarray  # sorted keys of every pair drawn before the year and of its fixed relations
    nt: int
    hmask: np.ndarray | None = None  # per node: bitmask of its hub neighbours (None: no rejection)
    p_reject: float = 0.0            # P(reject an extra pair whose ends share a hub neighbour)
    extra_src: list = field(default_factory=list)  # the extra relations, one array per draw
    extra_dst: list = field(default_factory=list)
    # sorted keys of the year's extra relations, apart from carried_keys (see ``add``)
    drawn_keys: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    # the positions among the year's relations (fixed, then extra) that are technology
    # cooperation by construction
    forced_tc: slice = field(default_factory=lambda: slice(0, 0))

    @property
    def n_drawn(self) -> int:
        """Extra relations drawn so far."""
        return sum(len(x) for x in self.extra_src)

    @property
    def n_fixed(self) -> int:
        return len(self.fixed_src)

    @property
    def keys(self) -> tuple[np.ndarray, np.ndarray]:
        """The sorted key arrays of every pair drawn so far, this year's included."""
        return self.carried_keys, self.drawn_keys

    def add(self, s: np.ndarray, d: np.ndarray) -> None:
        """Take extra relations (distinct new pairs) into the year."""
        self.extra_src.append(s)
        self.extra_dst.append(d)
        # the year's keys kept apart from the carried ones, so that a draw merges into the
        # year's keys only: at scale 100 sorting every key again at each of the 63 draws took
        # 12 s, merging into all of them 1.7 s
        self.drawn_keys = merged(self.drawn_keys, s * self.nt + d)

    def so_far(self, net: Network) -> tuple[np.ndarray, np.ndarray]:
        """(src, dst) of the year network as drawn so far: carried, fixed and extra relations."""
        return (np.concatenate([net.src[self.active], self.fixed_src] + self.extra_src),
                np.concatenate([net.dst[self.active], self.fixed_dst] + self.extra_dst))
