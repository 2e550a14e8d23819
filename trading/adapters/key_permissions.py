"""What the exchange API key may do: live trading refuses a key that can withdraw, where the exchange tells."""
from __future__ import annotations

from dataclasses import dataclass

from trading.adapters.exchange_account import ExchangeAccount
from trading.domain.errors import AuthenticationFailed, ConfigurationError, TradingError
from trading.logs import get_logger

log = get_logger(__name__)
TELLS_RESTRICTIONS = ("binance", "binanceusdm")     # GET /sapi/v1/account/apiRestrictions


@dataclass(frozen=True, slots=True)
class KeyPermissions:
    """The key's permissions as far as the exchange reports them (None: it could not tell)."""

    can_withdraw: bool | None
    can_trade: bool | None
    warning: str | None = None


async def key_permissions(account: ExchangeAccount, exchange_id: str) -> KeyPermissions:
    """Ask the exchange what the key may do; a key it refuses raises ConfigurationError."""
    if exchange_id not in TELLS_RESTRICTIONS:
        return KeyPermissions(None, None, f"{exchange_id} cannot tell whether the API key may withdraw: make "
                                          f"sure it has trading permission only")
    try:
        raw = await account.call("api_restrictions", account.exchange.sapi_get_account_apirestrictions)
    except AuthenticationFailed as exc:
        raise ConfigurationError(f"{exchange_id} refused the API key: {exc}") from None
    except (TradingError, AttributeError) as exc:      # testnets have no sapi endpoints
        return KeyPermissions(None, None, f"could not read the API key's permissions ({exc}): make sure it "
                                          f"cannot withdraw")
    trading = "enableFutures" if account.futures else "enableSpotAndMarginTrading"
    return KeyPermissions(bool(raw.get("enableWithdrawals")), bool(raw.get(trading)))


def require_trading_only(permissions: KeyPermissions, market_type: str) -> None:
    """Raise ConfigurationError for a key that can withdraw or cannot trade; log the warning once otherwise."""
    if permissions.can_withdraw:
        raise ConfigurationError("the exchange API key can withdraw funds: live trading refuses it. Create a "
                                 "key with withdrawals disabled, then run: trading-assistant keys set")
    if permissions.can_trade is False:
        raise ConfigurationError(f"the exchange API key may not trade {market_type}: enable "
                                 f"{'futures' if market_type == 'futures' else 'spot & margin'} trading for it")
    if permissions.warning:
        log.warning(permissions.warning)
