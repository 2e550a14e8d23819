-- Live-order approvals build on confirmations: the confirmation row is who may answer, where, the hash of the
-- order shown, until when, and pending -> claimed (one conditional UPDATE before the order leaves). This row
-- keeps the order ticket itself, the client ids its legs go out with (derived from the approval id), the card's
-- message, and when a code was asked for and verified, so a claimed approval can be looked up on the exchange
-- by its client ids after a restart.
CREATE TABLE approvals (
    id TEXT PRIMARY KEY REFERENCES confirmations (id),
    ticket_json TEXT NOT NULL,
    client_order_ids_json TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    message_id INTEGER,
    code_asked_ms INTEGER,
    code_verified_ms INTEGER
);
