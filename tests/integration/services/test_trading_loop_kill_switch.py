"""The kill switch of the running loop (by command, signal and file, and over a restart), /risk, and exits that
never wait for the decision maker. Real BTC/USDT 1m bars of the 2025-08-14 sell-off (see test_trading_loop)."""
from __future__ import annotations

from decimal import Decimal as D

from tests.fakes.loop_rig import build_rig
from tests.fakes.scripted_strategy import ScriptedStrategy
from tests.fakes.stalling_decider import StallingDecider
from tests.fakes.market_stretches import PERP, SELL_OFF, SPOT, long_signal, minutes_around
from trading.domain.candles import MINUTE_MS
from trading.domain.events import EventKind
from trading.engine.simulated_exchange import MarketFill
from trading.risk.kill_switch import KillMode
from trading.services.loop_jobs import check_kill_file
from trading.services.trading_loop import KILL_SWITCH_KEY


async def test_the_kill_switch_survives_a_restart_until_resumed(tmp_path):
    # targets far enough to clear reward:risk 1.5 after fees and slippage (about 1.9R net)
    signals = [long_signal(SELL_OFF + 20 * MINUTE_MS, "119307.02", "118300", "122000", "while-killed"),
               long_signal(SELL_OFF + 45 * MINUTE_MS, "119249.19", "118200", "122000", "after-resume")]
    candles = minutes_around(SELL_OFF)
    first = await build_rig(tmp_path, candles, SPOT, SELL_OFF, [ScriptedStrategy(signals)])
    assert await first.loop.kill(False, "signal:SIGTERM", "the process was asked to stop")
    await first.close()

    second = await build_rig(tmp_path, candles, SPOT, SELL_OFF + 10 * MINUTE_MS, [ScriptedStrategy(signals)])
    await second.run_until(SELL_OFF + 21 * MINUTE_MS)
    blocked = [e.data["rule"] for e in await second.audit(EventKind.RISK_LIMIT)]
    saved = await second.store.load_state(KILL_SWITCH_KEY)
    lifted = await second.loop.resume("chat:1")
    await second.run_until(SELL_OFF + 46 * MINUTE_MS)
    assert second.notified(EventKind.KILL_SWITCH) == [
        "Kill switch still on (set by a SIGTERM stop of the process before the restart). New positions are refused "
        "until /resume.", "Trading resumed: lifted the kill switch."]
    assert blocked == ["kill_switch"] and saved["active"] is True and lifted == ["kill switch"]
    assert len(second.notified(EventKind.POSITION_OPENED)) == 1
    await second.close()


async def test_kill_flat_closes_every_position_at_market_and_blocks_new_entries(tmp_path):
    # A 5x long entered at the 12:30 open 121,143.68; /kill flat at 12:31 sells it at the next price, the 12:31
    # open 120,410.52. Result: (120,410.52 - 121,143.68) x 0.06361 - 0.1% fees on both sides = -62.00, of the
    # 0.06361 x (121,143.68 - 118,000) = 199.97 risked: -0.31R.
    signals = [long_signal(SELL_OFF, "121143.67", "118000", "130000", "before", PERP),
               long_signal(SELL_OFF + 5 * MINUTE_MS, "118715.99", "117000", "122000", "after", PERP)]
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF), PERP, SELL_OFF - 2 * MINUTE_MS,
                          [ScriptedStrategy(signals)], futures=True)
    await rig.run_until(SELL_OFF + MINUTE_MS)
    assert await rig.loop.kill(True, "chat:1", "/kill flat")
    await rig.run_until(SELL_OFF + 6 * MINUTE_MS)
    amount, entry, exit_price = D("0.06361"), D("121143.68"), D("120410.52")
    result = (exit_price - entry) * amount - (entry + exit_price) * amount * D("0.001")
    assert [n.split(":")[0] for n in rig.notified()] == ["ENTRY long 0.06361 BTC/USDT",
                                                         "KILL SWITCH on by /kill flat. New positions are refused "
                                                         "until /resume. Closing every position at market.",
                                                         "EXIT long BTC/USDT"]
    assert rig.notified(EventKind.POSITION_CLOSED) == [
        f"EXIT long BTC/USDT:USDT [scripted]: kill switch (flat) by /kill flat. Result {result:+,.2f} (-0.31R)."]
    assert not any("chat:" in n for n in rig.notified())
    assert rig.loop.risk_status().kill_switch.mode is KillMode.ACTIVE_FLAT
    await rig.close()


async def test_a_kill_file_in_the_data_dir_engages_the_switch_once(tmp_path):
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF), SPOT, SELL_OFF, [])
    kill_file = tmp_path / "KILL"
    kill_file.write_text("")
    engaged = await check_kill_file(rig.loop, tmp_path)
    again = await check_kill_file(rig.loop, tmp_path)
    status = rig.loop.risk_status()
    assert (engaged, again, kill_file.exists()) == (True, False, False)
    assert (status.kill_switch.by, status.entries_allowed) == ("file:KILL", False)
    assert rig.notified(EventKind.KILL_SWITCH) == [
        "KILL SWITCH on by the KILL file. New positions are refused until /resume. Open positions stay protected."]
    await rig.close()


async def test_the_hard_stop_fires_while_the_decision_maker_is_still_thinking(tmp_path):
    # The 12:34 tick (119,900) enters the soft-stop zone and the question hangs; the 12:35 tick (118,715.99)
    # is past the hard stop and the position is closed at once all the same.
    signal = long_signal(SELL_OFF, "121143.67", "118000", "130000", "stalled", PERP)
    decider = StallingDecider()
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF), PERP, SELL_OFF - 2 * MINUTE_MS,
                          [ScriptedStrategy([signal])], futures=True, market_fill=MarketFill.LAST_PRICE,
                          decider=decider, decision_timeout_s=0.2)
    await rig.run_until(SELL_OFF + 6 * MINUTE_MS, ticks=True, settle=False)
    closed_before_the_answer = rig.notified(EventKind.POSITION_CLOSED)
    await rig.loop.settle()
    answers = [e.message for e in await rig.audit(EventKind.DECISION) if "zone" in e.message]
    assert decider.stalled == 1 and len(closed_before_the_answer) == 1
    assert "hard stop at 118,715.99" in closed_before_the_answer[0]
    assert answers == ["timeout decided hold on BTC/USDT:USDT soft_stop zone: the decision maker did not answer "
                       "in time"]
    await rig.close()


async def test_risk_status_reports_the_day_against_the_limits(tmp_path):
    # 5x long of 0.06361 BTC from 121,143.68; at the 12:33 close 119,900.00 the account is down
    # (119,900 - 121,143.68) x 0.06361 = -79.11 unrealised and 7.71 entry fee: -86.82 of the 600 allowed.
    signal = long_signal(SELL_OFF, "121143.67", "118000", "130000", "status", PERP)
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF), PERP, SELL_OFF - 2 * MINUTE_MS,
                          [ScriptedStrategy([signal])], futures=True)
    await rig.run_until(SELL_OFF + 4 * MINUTE_MS)
    status = rig.loop.risk_status()
    assert status.daily_pnl.quantize(D("0.01")) == D("-86.82")
    assert (status.daily_loss_limit, status.open_positions, status.entries_allowed) == (D(600), 1, True)
    assert status.drawdown_pct.quantize(D("0.0001")) == D("0.8682")
    await rig.close()


async def test_an_entry_waiting_for_its_fill_is_cancelled_when_a_brake_comes_on_and_the_loop_says_which(tmp_path):
    # The 12:30 signal's market entry waits for the next price (the 12:31 candle); meanwhile the protective exits
    # fail three times in a row and the breaker trips: the loop cancels the entry in the same step and tells why,
    # once (the venue would refuse its fill too).
    signal = long_signal(SELL_OFF, "121143.67", "118000", "130000", "late-brake", PERP)
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF), PERP, SELL_OFF - 2 * MINUTE_MS,
                          [ScriptedStrategy([signal])], futures=True)
    await rig.run_until(SELL_OFF)
    assert len(rig.engine.state.pending) == 1
    await rig.loop.trip_on_protection_failures(3, "exchange unreachable")
    assert rig.engine.state.pending == {}
    await rig.run_until(SELL_OFF + MINUTE_MS)
    assert rig.notified(EventKind.ORDER_FAILED) == []
    assert rig.notified(EventKind.RISK_LIMIT) == [
        "Cancelled 1 resting entry order the entry gate refuses now (left open, it could fill and open a position "
        "no rule allowed; lifting the rule does not place it again). buy 0.06361 BTC/USDT:USDT (id P-1): Circuit "
        "breaker is on: the protective-exit job failed 3 times in a row (exchange unreachable). New positions are "
        "refused; it lifts by itself in 30 min if no new trigger comes."]
    assert rig.notified(EventKind.POSITION_OPENED) == [] and await rig.broker.positions() == []
    await rig.close()
