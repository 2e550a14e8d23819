"""How hard the money properties search: more examples in CI, where a rare case must show up before a user meets it.

The profile comes from HYPOTHESIS_PROFILE, or "ci" when CI is set (tests/conftest.py loads it); the account
properties run MONEY_EXAMPLES examples under it.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

MONEY_EXAMPLES = {"ci": 500, "dev": 80}


def active_profile() -> str:
    """Return the hypothesis profile this run uses: HYPOTHESIS_PROFILE, else ci under CI, else dev."""
    in_ci = os.environ.get("CI", "").lower() in ("1", "true")
    return os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci else "dev")


MONEY_PROPERTY = settings(max_examples=MONEY_EXAMPLES.get(active_profile(), 80), deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
