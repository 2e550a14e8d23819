"""`python -m bot` is the same as `trading-assistant`."""
from bot.cli import main

raise SystemExit(main())
