-- The account's equity sampled every few minutes, for the reports' equity curves and period PnL.
CREATE TABLE equity_history (
    venue TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    equity TEXT NOT NULL,
    cash TEXT NOT NULL,
    PRIMARY KEY (venue, ts_ms)
) WITHOUT ROWID;
