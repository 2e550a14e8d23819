"""Choosing the symbol universe: filters, top K by turnover, the LLM's pick checked, kept symbols always in."""
from decimal import Decimal as D

from trading.domain.market import Ticker
from trading.engine.universe import UniverseSettings, by_turnover, candidates, llm_pick, with_kept

SETTINGS = UniverseSettings(size=2, candidates=3, min_turnover=D("1000"), max_spread_bps=D("20"),
                            max_move_pct=D("25"), keep=("BTC/USDT",))


def ticker(symbol, turnover, bid="100", ask="100.1", move="1"):
    return Ticker(symbol, 0, D("100"), D(bid), D(ask), D(move), D(turnover))


def test_candidates_pass_the_turnover_spread_and_move_limits_and_the_top_k_remain():
    got = candidates([ticker("A/USDT", "5000"), ticker("B/USDT", "500"), ticker("C/USDT", "9000", ask="101"),
                      ticker("D/USDT", "8000", move="-30"), ticker("E/USDT", "7000"), ticker("F/USDT", "6000"),
                      ticker("G/USDT", "2000")], SETTINGS)
    # B: turnover too low; C: spread ~100 bps; D: moved 30%; of the rest the top 3 by turnover
    assert [c.symbol for c in got] == ["E/USDT", "F/USDT", "A/USDT"]
    assert by_turnover(got, SETTINGS) == ("E/USDT", "F/USDT")


def test_the_llm_may_only_pick_candidates_and_at_most_n():
    pool = candidates([ticker("A/USDT", "5000"), ticker("E/USDT", "7000"), ticker("F/USDT", "6000")], SETTINGS)
    assert llm_pick({"symbols": ["a/usdt"], "reasons": "calm"}, pool, SETTINGS) == (("A/USDT",), "calm")
    assert "DOGE/USDT is not among" in llm_pick({"symbols": ["DOGE/USDT"], "reasons": ""}, pool, SETTINGS)
    assert "3 symbols picked, expected 1 to 2" in llm_pick({"symbols": ["A/USDT", "E/USDT", "F/USDT"]}, pool,
                                                           SETTINGS)
    assert llm_pick(None, pool, SETTINGS) == "the reply has no list of symbols"


def test_kept_symbols_and_open_positions_always_stay_first_and_once():
    assert with_kept(("E/USDT", "BTC/USDT"), SETTINGS, ["SOL/USDT"]) == ("BTC/USDT", "SOL/USDT", "E/USDT")
