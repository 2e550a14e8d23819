"""An install without the sweeps extra (the Docker image) runs sweeps locally and says how to reach a cluster."""
import sys
from decimal import Decimal

import pytest

from tests.fakes.shared_data import load_candles
from trading.backtest.config import BacktestConfig
from trading.backtest.history import history_from_candles
from trading.backtest.sweep import sweep_data, trials_of
from trading.backtest.sweep_execution import run_sweep
from trading.backtest.tpe_search import tpe_search
from trading.domain.errors import ConfigurationError
from trading.domain.instruments import Instrument

SPOT = Instrument("BTC/USDT", "BTC", "USDT", price_tick=Decimal("0.01"), amount_step=Decimal("0.00001"))


def uninstalled(monkeypatch, package: str) -> None:
    """Make `import package` fail as it does where the sweeps extra is not installed."""
    for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, package, None)


@pytest.fixture
def without_dask(monkeypatch):
    uninstalled(monkeypatch, "distributed")


def test_a_cluster_sweep_without_the_dask_client_says_what_to_install_and_a_local_one_runs(without_dask):
    history = history_from_candles("BTC/USDT", load_candles("BTCUSDT-1m.csv.gz")[:31 * 1440])
    data = sweep_data(history, BacktestConfig(SPOT), "C", history.window(None, None), in_days=20, out_days=10)
    trials = trials_of({"sweep_lookback": (8.0,)})

    with pytest.raises(ConfigurationError, match=r"SWEEP_CLUSTER=tcp://127.0.0.1:9 needs the Dask client, which "
                                                 r"this install leaves out: pip install 'trading-assistant\[sweeps\]'"):
        run_sweep(data, trials, cluster="tcp://127.0.0.1:9")
    assert len(run_sweep(data, trials, workers=1)) == 1


def test_a_tpe_search_without_optuna_says_what_to_install(monkeypatch):
    uninstalled(monkeypatch, "optuna")

    with pytest.raises(ConfigurationError, match=r"sweep --search tpe needs Optuna, which this install leaves out: "
                                                 r"pip install 'trading-assistant\[sweeps\]'"):
        tpe_search({"sweep_lookback": (8.0, 16.0)}, trials=2, seed=0, evaluate=lambda batch: [])
