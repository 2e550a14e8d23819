-- Questions put to one user (confirmation cards, later live-order approvals). An answer claims its row with one
-- conditional UPDATE (pending -> claimed) before anything happens, so a double tap or a re-delivered callback
-- acts once; rows still pending at start-up expire, so nothing asked before a restart ever executes.
CREATE TABLE confirmations (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'claimed', 'done', 'expired')),
    claimed_ms INTEGER,
    finished_ms INTEGER,
    result TEXT NOT NULL DEFAULT ''
);
CREATE INDEX confirmations_pending ON confirmations (state) WHERE state = 'pending';
