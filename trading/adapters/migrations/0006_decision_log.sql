-- Every decision of the LLM decision maker (and the HOLDs it gave without a call), with the rules' shadow
-- decision on the same request; run is 'live' for the running bot, 'backtest:<id>' for an LLM backtest.
CREATE TABLE decision_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run TEXT NOT NULL DEFAULT 'live',
    ts_ms INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    action TEXT NOT NULL,
    confidence REAL NOT NULL,
    source TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    mark TEXT,
    trigger TEXT NOT NULL DEFAULT '',
    prompt TEXT,
    reply TEXT,
    parsed_json TEXT,
    latency_ms INTEGER,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd TEXT NOT NULL DEFAULT '0',
    shadow_action TEXT NOT NULL DEFAULT 'HOLD',
    shadow_reason TEXT NOT NULL DEFAULT '',
    verdict TEXT NOT NULL DEFAULT '',
    order_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX decision_log_by_symbol ON decision_log (run, symbol, id);
CREATE INDEX decision_log_by_time ON decision_log (run, ts_ms);
CREATE INDEX decision_log_by_order ON decision_log (order_id) WHERE order_id != '';

-- LLM replies by a hash of (model, prompt, schema): an LLM backtest rerun reads them instead of calling.
CREATE TABLE llm_cache (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    reply TEXT NOT NULL,
    finish_reason TEXT NOT NULL DEFAULT 'stop',
    refusal TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);

-- Each symbol-universe selection: the candidates, the symbols chosen, why, and the prompt when an LLM chose.
CREATE TABLE universe_selections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts_ms INTEGER NOT NULL,
    symbols_json TEXT NOT NULL,
    candidates_json TEXT NOT NULL,
    reasons TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    prompt TEXT,
    reply TEXT
);
