"""The trading core: pure computation plus adapters; never imports the Telegram layer."""
