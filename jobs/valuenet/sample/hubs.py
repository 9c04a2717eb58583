"""The named hubs' relations of a year: quotas that grow with the network, newcomers as partners.

A hub's cumulative quota in year Y is ``quota * (E_Y / E_last) ** g_Y`` (``hub_growth``;
g < 1: hubs hold a larger share of the early networks, so those are hub-centred rather
than long chains). The year's part of it goes mostly to the year's newcomers, so hubs
grow with the network; the rest goes to nodes already present (anchors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .draws import Pool, draw_unique
from .knobs import Knobs, per_year
from .network import Network
from .population import Population
from .targets import Targets


@dataclass
class HubSlots:
    """The hub relations a year asks for, one slot per relation, in random order."""

    hub: np.ndarray        # the hub
    out: np.ndarray        # the hub enables (else it receives)
    partner: np.ndarray    # the newcomer partnering the hub, -1: an anchor drawn later
    newcomers: np.ndarray  # the year's unnamed newcomers, in random order
    attached: np.ndarray   # per node: a newcomer that partners a hub this year


def hub_slots(rng, yi: int, pop: Population, net: Network, tg: Targets, active: np.ndarray,
              budget: int, newcomers: np.ndarray, knobs: Knobs) -> HubSlots:
    """The year's hub relations and which of the year's unnamed ``newcomers`` partner them."""
    q_out, q_in, a_max = _year_quotas(yi, pop, net, tg, active, budget, len(newcomers), knobs)
    hubs = np.arange(pop.nh)
    out_slots = np.repeat(hubs, q_out)
    in_slots = np.repeat(hubs, q_in)
    slot_hub = np.concatenate([out_slots, in_slots])
    slot_out = np.concatenate([np.ones(len(out_slots), bool), np.zeros(len(in_slots), bool)])
    perm = rng.permutation(len(slot_hub))
    slot_hub, slot_out = slot_hub[perm], slot_out[perm]
    # the first a_max slots go to newcomers: a hub enables non-investors; a hub receives
    # from the newcomers left (investors among them)
    partner = np.full(len(slot_hub), -1, np.int64)
    newp = rng.permutation(newcomers)
    new_ninv = newp[~pop.is_inv[newp]]
    new_inv = newp[pop.is_inv[newp]]
    chosen = np.arange(min(len(slot_hub), a_max))
    co = chosen[slot_out[chosen]]
    ci = chosen[~slot_out[chosen]]
    n_co = min(len(co), len(new_ninv))
    partner[co[:n_co]] = new_ninv[:n_co]
    rest_new = rng.permutation(np.concatenate([new_ninv[n_co:], new_inv]))
    n_ci = min(len(ci), len(rest_new))
    partner[ci[:n_ci]] = rest_new[:n_ci]
    attached = np.zeros(pop.nt, bool)
    attached[partner[partner >= 0]] = True
    return HubSlots(hub=slot_hub, out=slot_out, partner=partner, newcomers=newp, attached=attached)


def _year_quotas(yi, pop: Population, net: Network, tg: Targets, active, budget, n_new, knobs: Knobs):
    """Each hub's new out- and in-relations this year (its cumulative quota minus what it
    has), scaled down if they would not fit the budget next to one first relation per
    newcomer, and a_max: how many of them may go to newcomers."""
    nh = pop.nh
    frac = (float(tg.edges[yi]) / float(tg.edges[-1])) ** per_year(knobs.hub_growth, yi)
    cur_out = np.bincount(net.src[active], minlength=pop.nt)[:nh]
    cur_in = np.bincount(net.dst[active], minlength=pop.nt)[:nh]
    cum_out = np.rint(pop.hub_out * frac).astype(np.int64)
    cum_in = np.rint(pop.hub_in * frac).astype(np.int64)
    if yi == 0:  # every hub is in the first network
        zero = (cum_out + cum_in) == 0
        cum_in[zero & (pop.hub_in > 0)] = 1
        cum_out[zero & (pop.hub_in <= 0)] = 1
    q_out = (cum_out - cur_out).clip(min=0)
    q_in = (cum_in - cur_in).clip(min=0)
    # keep room for one first relation per new node
    room = budget - n_new
    qt = int(q_out.sum() + q_in.sum())
    a_max = int(knobs.hub_new_partner_cap * n_new)
    # hub edges to new nodes cost nothing extra; to old nodes they use the room
    if qt - min(qt, a_max) > room:
        over = qt - min(qt, a_max) - room
        f = max(0.0, 1.0 - over / max(qt, 1))
        q_out = np.floor(q_out * f).astype(np.int64)
        q_in = np.floor(q_in * f).astype(np.int64)
    return q_out, q_in, a_max


def hub_relations(rng, slots: HubSlots, enabling: Pool, receiving: Pool, keys: tuple, nt: int):
    """Draw the hub relations: a slot without a newcomer partner gets an anchor (drawn from
    ``enabling`` when the hub receives, ``receiving`` when it enables), none of them among the
    sorted key arrays ``keys``. Returns
    (src, dst, first): first marks a newcomer's first relation."""
    fixed = slots.partner >= 0
    fs = np.where(slots.out, slots.hub, slots.partner)
    fd = np.where(slots.out, slots.partner, slots.hub)
    hs, hd, ok = draw_unique(rng, fs, fd, enabling, receiving, keys, nt)
    return hs[ok], hd[ok], fixed[ok]


def hub_close_mask(pop: Population, net: Network, active, h_src, h_dst, p_reject: float):
    """Per node, the bitmask of the hubs it is related to (carried and this year's hub
    relations), or None when nothing is rejected (or there are too many hubs for a mask)."""
    nh = pop.nh
    if not (p_reject > 0 and nh <= 62):
        return None
    hmask = np.zeros(pop.nt, np.int64)
    cs = np.concatenate([net.src[active], h_src])
    cd = np.concatenate([net.dst[active], h_dst])
    m_ = cs < nh
    np.bitwise_or.at(hmask, cd[m_], np.left_shift(np.int64(1), cs[m_]))
    m_ = cd < nh
    np.bitwise_or.at(hmask, cs[m_], np.left_shift(np.int64(1), cd[m_]))
    return hmask
