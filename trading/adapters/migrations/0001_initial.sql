-- Candle cache: floats are exact for exchange prices (shortest decimal text round-trips through float64).
CREATE TABLE candles (
    symbol TEXT NOT NULL,
    timeframe TEXT NOT NULL,
    open_ms INTEGER NOT NULL,
    open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
    PRIMARY KEY (symbol, timeframe, open_ms)
) WITHOUT ROWID;

-- Money is stored as decimal text, never REAL.
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    client_order_id TEXT NOT NULL UNIQUE,
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    type TEXT NOT NULL,
    amount TEXT NOT NULL,
    price TEXT,
    stop_price TEXT,
    status TEXT NOT NULL,
    filled TEXT NOT NULL DEFAULT '0',
    avg_price TEXT,
    fee TEXT NOT NULL DEFAULT '0',
    reduce_only INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX orders_open ON orders (status) WHERE status IN ('pending', 'open', 'partially_filled');

CREATE TABLE fills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    amount TEXT NOT NULL,
    price TEXT NOT NULL,
    fee TEXT NOT NULL,
    fee_asset TEXT NOT NULL,
    is_maker INTEGER NOT NULL DEFAULT 0,
    ts_ms INTEGER NOT NULL
);
CREATE INDEX fills_by_time ON fills (ts_ms);

CREATE TABLE positions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    amount TEXT NOT NULL,
    entry_price TEXT NOT NULL,
    leverage INTEGER NOT NULL DEFAULT 1,
    margin TEXT NOT NULL DEFAULT '0',
    realized_pnl TEXT NOT NULL DEFAULT '0',
    fees_paid TEXT NOT NULL DEFAULT '0',
    funding_paid TEXT NOT NULL DEFAULT '0',
    stop_price TEXT,
    take_profit TEXT,
    strategy TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',
    opened_ms INTEGER NOT NULL,
    closed_ms INTEGER
);
CREATE UNIQUE INDEX one_open_position ON positions (venue, symbol) WHERE status = 'open';

CREATE TABLE decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts_ms INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    strategy TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    confidence REAL NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    signal_json TEXT
);

-- The audit log is append-only: the triggers refuse to rewrite history.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    data_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_kind ON events (kind, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Settings changed from the chat, layered over the environment.
CREATE TABLE settings_overrides (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);

-- Snapshots of component state that must survive restarts (paper account, risk state, kill switch).
CREATE TABLE state (
    key TEXT PRIMARY KEY,
    value_json TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
