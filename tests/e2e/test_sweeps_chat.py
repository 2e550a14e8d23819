"""/sweeps through the fake Bot API (stored sweeps paged, one in full, escaped), and /optimize asking the LLM
(the fake OpenAI server) for its second round."""
import json

from tests.fakes.bot_process import OWNER, bot_settings
from tests.fakes.feature_bot import feature_bot
from tests.fakes.openai_api import MODEL, FakeOpenAI, Reply, decision
from tests.fakes.telegram_api import FakeTelegram
from trading.adapters.clocks import WallClock
from trading.adapters.sqlite_store import SqliteStore
from trading.adapters.sqlite_sweeps import StoredSweep, SweepArchive
from trading.backtest.sweep import TrialResult
from trading.backtest.sweep_report import SecondRound, SweepSummary

LIMIT = 4096


def stored(number: int) -> StoredSweep:
    """A sweep of 40 trials, its second round chosen by a rule whose reason needs escaping."""
    results = tuple(TrialResult(k, (("left", float(k % 8)), ("rules_min_rr", 1.5 + k // 8 * 0.25)), (1.0, -0.5),
                                (k / 10 - 2, 0.25), 3 + k % 4) for k in range(40))
    summary = SweepSummary("C", "BTC/USDT", {"left": tuple(float(v) for v in range(8)),
                                             "rules_min_rr": (1.5, 1.75, 2.0, 2.25, 2.5)}, results, 1.25, (39, 39),
                           0.35, 0.1, 2, 1_750_000_000_000, 1_751_000_000_000, "tpe" if number % 2 else "grid",
                           7 if number % 2 else None, SecondRound(30, {"left": (6.0, 7.0)}, "rule (<b>why</b> & how)"))
    return StoredSweep(1_752_000_000_000 + number, summary, 5, 12.5, "this machine")


async def _store_sweeps(tmp_path, count: int) -> None:
    store = SqliteStore(tmp_path / "trading.sqlite", WallClock())
    await store.open()
    try:
        for number in range(1, count + 1):
            await SweepArchive(store).save(stored(number))
    finally:
        await store.close()


async def test_sweeps_lists_a_page_shows_one_in_full_and_refuses_what_it_cannot_read(tmp_path):
    await _store_sweeps(tmp_path, 12)
    async with FakeTelegram() as telegram:
        async with feature_bot(bot_settings(tmp_path, telegram.base_url, telegram.token)):
            page = await telegram.ask(OWNER, "/sweeps")
            older = await telegram.ask(OWNER, "/sweeps older 3")
            one = await telegram.ask(OWNER, "/sweeps 12")
            missing = await telegram.ask(OWNER, "/sweeps 99")
            wrong = await telegram.ask(OWNER, "/sweeps <script>")

    assert page.text.startswith("Parameter sweeps, newest first") and "#12 " in page.text and "#3 " in page.text
    assert "#2 " not in page.text and page.text.rstrip().endswith("One in full: /sweeps 12; older: /sweeps older 3")
    assert "grid, 40 trials, best +2.2%, PBO 0.35" in page.text and "TPE seed 7, 40 trials" in page.text
    assert "#2 " in older.text and "#1 " in older.text and "older:" not in older.text
    assert one.text.startswith("Sweep #12, run 2025-07-08 18:40 UTC on this machine in 12.5 s")
    assert "Second round, trials #30 to #39: the region chosen by the rule (<b>why</b> & how)" in one.text
    assert "&lt;b&gt;" in one.raw["text"]                       # escaped, shown as typed
    assert missing.text == "No sweep #99. /sweeps (or `trading-assistant sweep --show`) lists the stored ones."
    assert wrong.text.startswith("Usage: /sweeps (the recent ones), /sweeps ID (one in full)")
    assert all(len(s.raw.get("text", "")) <= LIMIT for s in telegram.replies_to(OWNER))


def _advisor_or_decision(seen) -> Reply:
    """Answer the sweep's region request with a region, and the decision maker's reviews with a hold."""
    if "sweep_region" in json.dumps(seen.body.get("response_format") or {}):
        return Reply(json.dumps({"region": {"sweep_lookback": [10, 12]}, "reason": "between the best two"}))
    return decision("HOLD")


async def test_optimize_asks_the_llm_for_its_second_round_when_the_llm_is_on(tmp_path):
    async with FakeOpenAI(default=_advisor_or_decision) as llm, FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, openai_base_url=llm.base_url,
                                llm_model=MODEL)
        async with feature_bot(settings):
            started = await telegram.ask(OWNER, "/optimize C BTC/USDT 20d")
            done = await telegram.wait_for(
                OWNER, lambda s: s.edited and s.message_id == started.message_id and "Optimisation of C" in s.text,
                timeout=90)
            listed = await telegram.ask(OWNER, "/sweeps")
            shown = await telegram.ask(OWNER, "/sweeps 1")

    asked = [c for c in llm.calls if "sweep_region" in json.dumps(c.body.get("response_format") or {})]
    assert len(asked) == 1 and '"strategy": "C"' in asked[0].prompt
    assert f"Second round, trials #5 to #6: the region chosen by the advisor ({MODEL})" in done.text
    assert "7 trials (grid)" in done.text
    assert "Every trial is stored as sweep #1: /sweeps 1" in done.text      # /optimize's trials are kept too
    assert "#1 " in listed.text and " C BTC/USDT" in listed.text and "7 trials" in listed.text
    assert "7 trials (grid)" in shown.text


async def test_optimize_does_not_ask_the_llm_once_todays_budget_is_spent_and_says_so(tmp_path):
    from trading.risk.limits import local_day

    async with FakeOpenAI(default=_advisor_or_decision) as llm, FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, openai_base_url=llm.base_url,
                                llm_model=MODEL, llm_daily_budget_usd="0.5")
        store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
        await store.open()
        try:        # spent earlier today, by the bot or a sweep in another process
            await store.save_state("llm_spend", {"day": local_day(WallClock().now_ms(), settings.timezone),
                                                 "calls": 40, "tokens": 90_000, "usd": "0.51", "told": True})
        finally:
            await store.close()
        async with feature_bot(settings):
            started = await telegram.ask(OWNER, "/optimize C BTC/USDT 20d")
            done = await telegram.wait_for(
                OWNER, lambda s: s.edited and s.message_id == started.message_id and "Optimisation of C" in s.text,
                timeout=90)

    assert not [c for c in llm.calls if "sweep_region" in json.dumps(c.body.get("response_format") or {})]
    assert ("the region chosen by the rule (the region advisor's request was not sent to the LLM: today's LLM "
            "budget of 0.5 USD is spent (0.5100 USD). The budget resets at midnight") in done.text
    assert "raise LLM_DAILY_BUDGET_USD in .env to allow more today.)" in done.text
