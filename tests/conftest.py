"""Suite-wide setup: the hypothesis profile (dev on a laptop; ci under CI, more examples where money is at stake)."""
from hypothesis import HealthCheck, settings

from tests.fakes.money_properties import active_profile

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(active_profile())


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    """Stop the SQLite threads a failed test left open: its traceback keeps the store alive, and aiosqlite's
    non-daemon worker thread would otherwise hang the interpreter at exit instead of reporting the failure."""
    import gc
    import warnings

    import aiosqlite

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for obj in gc.get_objects():
            if isinstance(obj, aiosqlite.Connection) and obj._running:
                obj.stop()
