-- The bot's own entry behind a card (LIVE_AUTONOMY=approve): its plan (signal with strategy and reason, stop,
-- target, the costs break-even covers, the order) as JSON, written with the card. If the process stops after the
-- approved order leaves and before the engine records it, start-up finds the order by the approval's client ids
-- and arms this plan's exits instead of the defaults an unknown position gets. NULL for manual orders' cards.
ALTER TABLE approvals ADD COLUMN plan_json TEXT;
