"""An offline, Bot-API-compatible server and a terminal chat, so the bot runs without Telegram."""
