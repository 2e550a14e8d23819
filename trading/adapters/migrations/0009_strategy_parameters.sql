-- A strategy's parameters tuned at run time (an applied /optimize proposal, /params), layered over its defaults.
-- Values are the number's text; they are checked against the strategy's declared range again at start-up.
CREATE TABLE strategy_parameters (
    strategy TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (strategy, name)
);

-- What an /optimize proposal card offers: its Apply button applies exactly these parameters (the card's
-- confirmation, same id, holds the payload's hash, who may answer it, and until when).
CREATE TABLE parameter_proposals (
    id TEXT PRIMARY KEY,
    strategy TEXT NOT NULL,
    symbol TEXT NOT NULL,
    params_json TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
