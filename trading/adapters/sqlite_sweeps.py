"""Parameter sweeps kept in SQLite: the search, every trial's returns and the best-N, read back whole or listed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from trading.adapters.sqlite_store import SqliteStore
from trading.backtest.sweep import TrialResult
from trading.backtest.sweep_relations import RelationCheck
from trading.backtest.sweep_report import SecondRound, SweepSummary


@dataclass(frozen=True, slots=True, eq=False)
class StoredSweep:
    """One sweep as stored (id 0 until saved)."""

    created_ms: int
    summary: SweepSummary
    top: int = 5                     # how many of the best were shown (their numbers are stored)
    seconds: float = 0.0
    ran_on: str = ""                 # this machine, or the Dask scheduler's address
    id: int = 0


@dataclass(frozen=True, slots=True)
class SweepListing:
    """A stored sweep in a list: what was searched and its best trial."""

    id: int
    created_ms: int
    strategy: str
    symbol: str
    search: str
    seed: int | None
    trials: int
    best_score_pct: float | None
    best_params: dict[str, float]
    pbo: float | None


class SweepArchive:
    """Saves sweeps and reads them back."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def save(self, sweep: StoredSweep) -> int:
        """Store the sweep and its trials in one transaction; return its id."""
        s = sweep.summary
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO sweeps (created_ms, strategy, symbol, search, seed, space_json, second_round_json, "
                "folds, start_ms, end_ms, best_json, walk_forward_json, pbo, deflated_sharpe, seconds, ran_on) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sweep.created_ms, s.strategy, s.symbol, s.search, s.seed, _dump(s.space),
                 None if s.second_round is None else _dump(_second(s.second_round)), s.folds, s.first_ms, s.last_ms,
                 _dump([r.index for r in s.best(sweep.top)]),
                 _dump(_walk_forward(s)), s.pbo, s.deflated_sharpe,
                 sweep.seconds, sweep.ran_on))
            sweep_id = int(cursor.lastrowid or 0)
            await db.executemany(
                "INSERT INTO sweep_trials (sweep_id, trial, params_json, in_sample_json, out_of_sample_json, "
                "score_pct, trades) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(sweep_id, r.index, _dump(dict(r.params)), _dump(r.in_sample_pct), _dump(r.out_of_sample_pct),
                  r.score, r.trades) for r in s.results])
        return sweep_id

    async def get(self, sweep_id: int) -> StoredSweep | None:
        """Return the sweep with this id, all its trials read back, or None."""
        async with self._store.db.execute(
                "SELECT created_ms, strategy, symbol, search, seed, space_json, second_round_json, folds, start_ms, "
                "end_ms, best_json, walk_forward_json, pbo, deflated_sharpe, seconds, ran_on FROM sweeps "
                "WHERE id = ?", (sweep_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        (created, strategy, symbol, search, seed, space, second, folds, start, end, best, walk, pbo, dsr,
         seconds, ran_on) = row
        async with self._store.db.execute(
                "SELECT trial, params_json, in_sample_json, out_of_sample_json, trades FROM sweep_trials "
                "WHERE sweep_id = ? ORDER BY trial", (sweep_id,)) as cur:
            trials = [TrialResult(index, tuple(sorted(json.loads(params).items())), tuple(json.loads(ins)),
                                  tuple(json.loads(outs)), trades) for index, params, ins, outs, trades in
                      await cur.fetchall()]
        walked = json.loads(walk)
        summary = SweepSummary(strategy, symbol, _space(json.loads(space)), tuple(trials), walked["return_pct"],
                               tuple(walked["chosen"]), pbo, dsr, folds, start, end, search, seed,
                               _second_round(json.loads(second) if second else None), _relations(walked, search))
        return StoredSweep(created, summary, len(json.loads(best)), seconds, ran_on, sweep_id)

    async def recent(self, limit: int = 10, before_id: int | None = None) -> list[SweepListing]:
        """Return the newest sweeps (those older than before_id when given), newest first, with their best trial."""
        sql = ("SELECT s.id, s.created_ms, s.strategy, s.symbol, s.search, s.seed, "
               "(SELECT COUNT(*) FROM sweep_trials c WHERE c.sweep_id = s.id), t.score_pct, t.params_json, s.pbo "
               "FROM sweeps s LEFT JOIN sweep_trials t ON t.sweep_id = s.id "
               "AND t.trial = json_extract(s.best_json, '$[0]') WHERE s.id < ? ORDER BY s.id DESC LIMIT ?")
        async with self._store.db.execute(sql, (before_id if before_id is not None else 2 ** 62, limit)) as cur:
            rows = await cur.fetchall()
        return [SweepListing(i, created, strategy, symbol, search, seed, count, score,
                             json.loads(params) if params else {}, pbo)
                for i, created, strategy, symbol, search, seed, count, score, params, pbo in rows]


def _dump(value: Any) -> str:
    return json.dumps(value, allow_nan=False)


def _space(raw: dict[str, list[float]]) -> dict[str, tuple[float, ...]]:
    return {name: tuple(values) for name, values in raw.items()}


def _walk_forward(s: SweepSummary) -> dict[str, Any]:
    # the relations' count rides with the summary's other figures: a count is not worth a migration
    c = s.relations
    kept = None if c is None else {"kept": c.kept, "total": c.total, "rules": c.rules, "sampled": c.sampled}
    return {"return_pct": s.chosen_return_pct, "chosen": list(s.chosen), "relations": kept}


def _relations(walked: dict[str, Any], search: str) -> RelationCheck | None:
    kept = walked.get("relations")
    if kept is None or (search == "tpe" and not kept.get("sampled")):
        return None         # a TPE sweep stored before its pruned samples were counted holds the grid's figure
    return RelationCheck(kept["kept"], kept["total"], kept["rules"], bool(kept.get("sampled")))


def _second(second: SecondRound) -> dict[str, Any]:
    return {"first_trial": second.first_trial, "region": {k: list(v) for k, v in second.region.items()},
            "chosen_by": second.chosen_by, "skipped": second.skipped, "skip_rule": second.skip_rule}


def _second_round(raw: dict[str, Any] | None) -> SecondRound | None:
    if raw is None:
        return None
    return SecondRound(raw["first_trial"], _space(raw["region"]), raw["chosen_by"], raw.get("skipped", 0),
                       raw.get("skip_rule", ""))
