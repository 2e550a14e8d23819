"""A literal, slow, bar-by-bar reading of ../shared/ict.md, to check the vectorised ICT indicators against."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from trading.domain.candles import Candles
from trading.indicators.ict.params import ICTParams


@dataclass
class Replay:
    """Every event of the replay as lists of row dicts, one list per table of ICTSnapshot."""

    pivots: list[dict] = field(default_factory=list)
    swings: list[dict] = field(default_factory=list)
    breaks: list[dict] = field(default_factory=list)
    fvgs: list[dict] = field(default_factory=list)
    order_blocks: list[dict] = field(default_factory=list)
    breakers: list[dict] = field(default_factory=list)
    levels: list[dict] = field(default_factory=list)
    trend: list[int] = field(default_factory=list)


def replay_ict(c: Candles, p: ICTParams) -> Replay:
    """Walk the candles one bar at a time in the order of work of ict.md section 1."""
    out, seq, refs, state = Replay(), [], {1: None, -1: None}, {"trend": 0, "last_raw": {1: -10**9, -1: -10**9}}
    for t in range(len(c)):
        _update_objects(c, p, t, out)
        entered = _confirm_pivot(c, p, t, out, seq, refs)
        _breaks(c, p, t, out, seq, refs, state)
        _gap(c, p, t, out)
        _join_liquidity(p, t, out, _liquidity_candidates(p, out, entered, state))
        out.trend.append(state["trend"])
    return out


def _first(row: dict, key: str, t: int, cond: bool) -> None:
    if row[key] == -1 and cond:
        row[key] = t


def _update_objects(c: Candles, p: ICTParams, t: int, out: Replay) -> None:
    lo, hi, cl = c.low[t], c.high[t], c.close[t]
    body_lo, body_hi = min(c.open[t], cl), max(c.open[t], cl)
    for g in out.fvgs:
        if g["known_at"] < t and (p.max_age is None or t <= g["known_at"] + p.max_age):
            bull = g["direction"] > 0
            _first(g, "touched", t, lo <= g["top"] if bull else hi >= g["bottom"])
            _first(g, "ce", t, lo <= g["mid"] if bull else hi >= g["mid"])
            _first(g, "filled", t, lo <= g["bottom"] if bull else hi >= g["top"])
            _first(g, "inverted", t, cl < g["bottom"] if bull else cl > g["top"])
    for row, ob in enumerate(out.order_blocks):
        if ob["known_at"] < t and (p.ob_max_age is None or t <= ob["known_at"] + p.ob_max_age):
            bull = ob["direction"] > 0
            _first(ob, "touched", t, lo <= ob["top"] if bull else hi >= ob["bottom"])
            if ob["broken"] == -1:
                price = {"close": (cl, cl), "wick": (lo, hi), "body": (body_lo, body_hi)}[p.ob_break_on]
                _first(ob, "broken", t, price[0] < ob["bottom"] if bull else price[1] > ob["top"])
                if ob["broken"] == t:
                    out.breakers.append(dict(index=ob["index"], known_at=t, direction=-ob["direction"],
                                             top=ob["top"], bottom=ob["bottom"], ob_row=row, retest=-1,
                                             invalidated=-1))
    for b in out.breakers:
        if b["known_at"] < t:
            bull = b["direction"] > 0
            _first(b, "retest", t, lo <= b["top"] if bull else hi >= b["bottom"])
            _first(b, "invalidated", t, cl < b["bottom"] if bull else cl > b["top"])
    for lv in out.levels:
        _update_level(lv, p, t, hi, lo, cl)


def _update_level(lv: dict, p: ICTParams, t: int, hi: float, lo: float, cl: float) -> None:
    bsl = lv["direction"] > 0
    pool = max(lv["members"]) if bsl else min(lv["members"])
    if lv["known_at"] < t and lv["taken"] == -1 and (hi > pool if bsl else lo < pool):
        lv["taken"] = t
    if lv["taken"] != -1 and lv["swept"] == -1 and lv["run"] == -1 and t - lv["taken"] <= p.sweep_reclaim_bars:
        _first(lv, "swept", t, cl < pool if bsl else cl > pool)
        if lv["swept"] == -1 and t - lv["taken"] == p.sweep_reclaim_bars:
            lv["run"] = t


def _confirm_pivot(c: Candles, p: ICTParams, t: int, out: Replay, seq: list, refs: dict) -> list[dict]:
    q = t - p.right
    if q < p.left:
        return []
    window = slice(q - p.left, t + 1)
    if c.high[q] == c.high[window].max():
        side, level = 1, c.high[q]
    elif c.low[q] == c.low[window].min():
        side, level = -1, c.low[q]
    else:
        return []
    pivot = dict(index=q, known_at=t, direction=side, level=float(level))
    out.pivots.append(pivot)
    supersedes = -1
    if seq and out.swings[seq[-1]]["direction"] == side:
        last = out.swings[seq[-1]]
        if side * level <= side * last["level"]:
            return [pivot]
        last["superseded_at"] = t
        supersedes = seq.pop()
    elif seq:
        out.swings[seq[-1]]["final_at"] = t
    prior = seq[-1] if seq else -1
    same = [r for r in seq if out.swings[r]["direction"] == side]
    label = ""
    if same:
        d = np.sign(level - out.swings[same[-1]]["level"])
        label = {1: {1: "HH", -1: "LH", 0: "EH"}, -1: {1: "HL", -1: "LL", 0: "EL"}}[side][int(d)]
    out.swings.append(dict(pivot, label=label, supersedes=supersedes, prior=prior, superseded_at=-1, final_at=-1))
    seq.append(len(out.swings) - 1)
    refs[side] = [len(out.swings) - 1, False]
    return [pivot, out.swings[-1]]


def _breaks(c: Candles, p: ICTParams, t: int, out: Replay, seq: list, refs: dict, state: dict) -> None:
    for side in (1, -1):
        ref = refs[side]
        if ref is None or ref[1]:
            continue
        s = out.swings[ref[0]]
        price = c.close[t] if p.break_on == "close" else (c.high[t] if side > 0 else c.low[t])
        if not side * price > side * s["level"]:
            continue
        ref[1] = True
        leg_bars = range(s["index"] + 1, t)
        series = c.low if side > 0 else c.high
        leg = max(leg_bars, key=lambda j: (-side * series[j], j))
        kind_trend = "CHoCH" if state["trend"] == -side else "BOS"
        kind_swing = ""
        if s["prior"] >= 0:
            v = np.sign(series[leg] - out.swings[s["prior"]]["level"]) * side
            kind_swing = {1: "BOS", -1: "CHoCH", 0: ""}[int(v)]
        state["trend"] = side
        out.breaks.append(dict(index=t, known_at=t, direction=side, ref_index=s["index"], level=s["level"],
                               leg_index=leg, kind_trend=kind_trend, kind_swing=kind_swing))
        out.order_blocks.append(_order_block(c, p, s["index"], leg, t, side))


def _order_block(c: Candles, p: ICTParams, h: int, k: int, t: int, side: int) -> dict:
    if p.ob_candle == "last_opposite":
        down = [j for j in range(h + 1, k + 1) if (c.close[j] < c.open[j] if side > 0 else c.close[j] > c.open[j])]
        k = down[-1] if down else k
    top, bottom = c.high[k], c.low[k]
    if p.zone == "body_to_wick":
        if side > 0:
            top = max(c.open[k], c.close[k])
        else:
            bottom = min(c.open[k], c.close[k])
    return dict(index=k, known_at=t, direction=side, top=top, bottom=bottom, ref_index=h, touched=-1,
                broken=-1)


def _gap(c: Candles, p: ICTParams, t: int, out: Replay) -> None:
    if t < 2:
        return
    a, b = t - 2, t - 1
    if c.high[a] < c.low[t] and (not p.require_body or c.close[b] > c.open[b]):
        side, top, bottom = 1, c.low[t], c.high[a]
    elif c.low[a] > c.high[t] and (not p.require_body or c.close[b] < c.open[b]):
        side, top, bottom = -1, c.low[a], c.high[t]
    else:
        return
    mid = (top + bottom) / 2.0
    if top - bottom >= p.min_gap * mid:
        out.fvgs.append(dict(index=b, known_at=t, direction=side, top=top, bottom=bottom, mid=mid, touched=-1,
                             ce=-1, filled=-1, inverted=-1))


def _liquidity_candidates(p: ICTParams, out: Replay, entered: list[dict], state: dict) -> list[dict]:
    if p.source == "sequence":
        return entered[1:]
    if not entered:
        return []
    pivot = entered[0]
    last = state["last_raw"]
    previous, last[pivot["direction"]] = last[pivot["direction"]], pivot["index"]
    return [] if pivot["index"] - previous <= p.right else [pivot]


def _join_liquidity(p: ICTParams, t: int, out: Replay, candidates: list[dict]) -> None:
    for cand in candidates:
        side, v = cand["direction"], cand["level"]
        for lv in out.levels:
            if lv["direction"] == side and lv["taken"] == -1 and abs(v - lv["anchor"]) <= p.liq_tol * abs(lv["anchor"]):
                lv["members"].append(v)
                lv["joined"].append(t)
                break
        else:
            out.levels.append(dict(index=cand["index"], known_at=t, direction=side, anchor=v, members=[v],
                                   joined=[t], taken=-1, swept=-1, run=-1))
