-- Parameter sweeps (`trading-assistant sweep`, read back by `sweep --show ID` and /sweeps): what was searched
-- (the space, grid or TPE with its seed, an advisor's second round), over which out-of-sample period, the
-- overfitting statistics of choosing among the trials, and the best-N trial numbers. Figures are JSON numbers.
CREATE TABLE sweeps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_ms INTEGER NOT NULL,
    strategy TEXT NOT NULL,
    symbol TEXT NOT NULL,
    search TEXT NOT NULL,                   -- grid | tpe
    seed INTEGER,                           -- TPE's seed (NULL for a grid)
    space_json TEXT NOT NULL,               -- {parameter: [values]} of the first round
    second_round_json TEXT,                 -- {first_trial, region, chosen_by}, or NULL
    folds INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,              -- the out-of-sample period
    end_ms INTEGER NOT NULL,
    best_json TEXT NOT NULL,                -- the best-N trial numbers, best first
    walk_forward_json TEXT NOT NULL,        -- {return_pct, chosen}: the best in-sample trial of each fold, traded out
    pbo REAL,
    deflated_sharpe REAL,
    seconds REAL NOT NULL DEFAULT 0,
    ran_on TEXT NOT NULL DEFAULT ''         -- this machine, or the Dask scheduler's address
);
CREATE INDEX sweeps_recent ON sweeps (created_ms);

-- One row per trial: its parameters and each fold's in-sample and out-of-sample return in percent.
CREATE TABLE sweep_trials (
    sweep_id INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
    trial INTEGER NOT NULL,
    params_json TEXT NOT NULL,
    in_sample_json TEXT NOT NULL,
    out_of_sample_json TEXT NOT NULL,
    score_pct REAL NOT NULL,                -- compounded out-of-sample return (what trials are ranked by)
    trades INTEGER NOT NULL,
    PRIMARY KEY (sweep_id, trial)
);
