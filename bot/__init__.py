"""The Telegram interface: parses updates, calls trading services, renders replies."""
