"""Suite-wide setup: the hypothesis profile (dev on a laptop; ci under CI, more examples where money is at stake)."""
from hypothesis import HealthCheck, settings

from tests.fakes.money_properties import active_profile

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(active_profile())
