-- The plan of each of the engine's entries (strategy, LLM, approved card: stop, target, strategy and reason, the
-- costs break-even covers, the order), written before its order leaves, under the entry's client order id. A bot
-- killed after the entry fills and before the engine state holding it is saved finds the position at the restart
-- by that client id and arms this plan's exits instead of the defaults an unknown position gets. A row is dropped
-- once the engine state holding the entry is saved.
CREATE TABLE entry_plans (
    client_order_id TEXT PRIMARY KEY,
    symbol TEXT NOT NULL,
    plan_json TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
