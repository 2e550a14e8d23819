-- Presses of buttons that only show something (a decision's reasoning, a price, a chart, a stored run). A press
-- claims its row (button = chat:message:data) before anything is sent, so a double tap or a callback Telegram
-- delivers twice shows it once; the same button pressed again after a few seconds shows it afresh.
CREATE TABLE button_presses (
    button TEXT PRIMARY KEY,
    pressed_ms INTEGER NOT NULL
);
