import pytest

from trading.adapters.key_permissions import KeyPermissions, key_permissions, require_trading_only
from trading.domain.errors import ConfigurationError


async def test_an_exchange_that_cannot_tell_gives_a_warning_without_asking():
    permissions = await key_permissions(account=None, exchange_id="okx")    # type: ignore[arg-type]

    assert permissions.can_withdraw is None
    assert "okx cannot tell whether the API key may withdraw" in permissions.warning


def test_a_key_that_can_withdraw_is_refused_even_if_it_can_trade():
    with pytest.raises(ConfigurationError, match="can withdraw funds"):
        require_trading_only(KeyPermissions(can_withdraw=True, can_trade=True), "spot")


def test_a_key_without_trading_permission_is_refused():
    with pytest.raises(ConfigurationError, match="may not trade spot: enable spot & margin trading"):
        require_trading_only(KeyPermissions(can_withdraw=False, can_trade=False), "spot")


def test_a_trading_only_key_passes():
    require_trading_only(KeyPermissions(can_withdraw=False, can_trade=True), "futures")
