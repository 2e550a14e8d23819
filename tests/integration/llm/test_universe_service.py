"""The symbol universe on replayed markets: the LLM picks among the candidates, a bad pick falls back to turnover,
kept symbols stay, each choice is stored, and it is applied only when DYNAMIC_SYMBOLS is on."""
from decimal import Decimal as D

from tests.fakes.openai_api import FakeOpenAI, raw, text
from tests.fakes.symbol_views import T_VIEW
from trading.adapters.clocks import ManualClock
from trading.adapters.openai_client import LlmClient
from trading.adapters.paper_broker import PaperBroker
from trading.adapters.replay_market_data import ReplayMarketData, load_replay_series
from trading.adapters.sqlite_store import SqliteStore
from trading.engine.universe import UniverseSettings
from trading.services.universe import UniverseService

SETTINGS = UniverseSettings(size=1, candidates=5, min_turnover=D("1000000"), max_spread_bps=D("20"),
                            max_move_pct=D("25"))


async def service(tmp_path, client=None, applied=None, settings=SETTINGS):
    clock = ManualClock(T_VIEW)
    market = ReplayMarketData(load_replay_series("replay"), clock, "test")
    store = SqliteStore(tmp_path / "trading.sqlite", clock)
    await store.open()
    broker = PaperBroker.spot(await market.instruments(), D("10000"))
    appliers = [applied.append] if applied is not None else []
    return UniverseService(market, broker, store, clock, settings, "USDT", client, appliers), store


async def test_the_llm_picks_a_candidate_and_the_choice_is_stored_and_applied(tmp_path):
    applied: list = []
    async with FakeOpenAI() as fake:
        fake.script(text('{"symbols": ["ETH/USDT"], "reasons": "more movement per unit of spread"}'))
        client = LlmClient("fake-model", base_url=fake.base_url)
        universe, store = await service(tmp_path, client, applied)
        try:
            chosen = await universe.refresh()
            stored = await universe.latest()
        finally:
            await client.close()
            await store.close()
    assert chosen.symbols == ("ETH/USDT",) and chosen.decided_by == "fake-model"
    assert applied == [("ETH/USDT",)] and universe.dynamic
    assert stored == chosen and {c.symbol for c in stored.candidates} == {"BTC/USDT", "ETH/USDT"}
    schema = fake.calls[0].schema
    assert schema["properties"]["symbols"]["items"]["enum"] == [c.symbol for c in chosen.candidates]


async def test_a_pick_outside_the_candidates_falls_back_to_turnover_and_kept_symbols_stay(tmp_path):
    kept = UniverseSettings(size=1, candidates=5, min_turnover=D("1000000"), keep=("SOL/USDT",))
    async with FakeOpenAI() as fake:
        fake.script(text('{"symbols": ["DOGE/USDT"], "reasons": "memes"}'))
        client = LlmClient("fake-model", base_url=fake.base_url)
        universe, store = await service(tmp_path, client, settings=kept)
        try:
            chosen = await universe.refresh()
        finally:
            await client.close()
            await store.close()
    top = chosen.candidates[0].symbol
    assert chosen.symbols == ("SOL/USDT", top) and chosen.decided_by == "turnover"
    assert "DOGE/USDT is not among the candidates" in chosen.reasons and not universe.dynamic


async def test_without_an_llm_the_top_n_by_turnover_are_chosen(tmp_path):
    universe, store = await service(tmp_path)
    try:
        chosen = await universe.refresh()
    finally:
        await store.close()
    assert chosen.decided_by == "turnover" and chosen.symbols == (chosen.candidates[0].symbol,)
    assert chosen.candidates[0].turnover >= chosen.candidates[-1].turnover


async def test_an_llm_out_of_credits_falls_back_to_turnover(tmp_path):
    async with FakeOpenAI() as fake:
        fake.script(raw(402, '{"error": {"message": "Insufficient credits", "code": 402}}'))
        client = LlmClient("fake-model", base_url=fake.base_url)
        universe, store = await service(tmp_path, client)
        try:
            chosen = await universe.refresh()
        finally:
            await client.close()
            await store.close()
    assert chosen.decided_by == "turnover" and len(chosen.symbols) == 1
