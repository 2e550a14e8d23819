-- Backtest runs, from the CLI and the chat: what was run and the metrics it gave (JSON, money as text).
CREATE TABLE backtests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_ms INTEGER NOT NULL,
    strategy TEXT NOT NULL,
    symbol TEXT NOT NULL,
    timeframe TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    params_json TEXT NOT NULL DEFAULT '{}',
    metrics_json TEXT NOT NULL
);
CREATE INDEX backtests_recent ON backtests (created_ms);
