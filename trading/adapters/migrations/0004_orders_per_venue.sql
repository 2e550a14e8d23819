-- Order ids are unique per venue, not globally (paper spot and paper futures both start at P-1), and a client
-- order id may come back once its first order has filled (Binance accepts it again), so it is indexed, not unique.
-- Fills name their venue and reference (venue, order id).
CREATE TABLE orders_v4 (
    venue TEXT NOT NULL,
    id TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
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
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (venue, id)
);
INSERT INTO orders_v4 SELECT venue, id, client_order_id, symbol, side, type, amount, price, stop_price, status, filled,
    avg_price, fee, reduce_only, reason, created_ms, updated_ms FROM orders;

CREATE TABLE fills_v4 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    venue TEXT NOT NULL,
    order_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    amount TEXT NOT NULL,
    price TEXT NOT NULL,
    fee TEXT NOT NULL,
    fee_asset TEXT NOT NULL,
    is_maker INTEGER NOT NULL DEFAULT 0,
    ts_ms INTEGER NOT NULL,
    FOREIGN KEY (venue, order_id) REFERENCES orders_v4 (venue, id)
);
INSERT INTO fills_v4 (id, venue, order_id, symbol, side, amount, price, fee, fee_asset, is_maker, ts_ms)
    SELECT f.id, o.venue, f.order_id, f.symbol, f.side, f.amount, f.price, f.fee, f.fee_asset, f.is_maker, f.ts_ms
    FROM fills f JOIN orders o ON o.id = f.order_id;

DROP TABLE fills;
DROP TABLE orders;
ALTER TABLE orders_v4 RENAME TO orders;
ALTER TABLE fills_v4 RENAME TO fills;
CREATE INDEX orders_open ON orders (venue, status) WHERE status IN ('pending', 'open', 'partially_filled');
CREATE INDEX orders_by_client_id ON orders (venue, client_order_id);
CREATE INDEX fills_by_time ON fills (venue, ts_ms);
