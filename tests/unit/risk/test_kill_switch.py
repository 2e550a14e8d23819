"""Kill switch: off / active / active-flat, who-why-when, and its snapshot across a restart."""
from __future__ import annotations

import json

from trading.risk.kill_switch import KillMode, KillSwitch, engage, release
from trading.risk.verdicts import RiskRule


def test_kill_stops_new_orders_but_lets_closing_orders_through():
    switch, changed = engage(KillSwitch(), flat=False, by="chat:42", reason="/kill", ts_ms=43_380_000)
    assert changed and switch == KillSwitch(KillMode.ACTIVE, "chat:42", "/kill", 43_380_000)
    verdict = switch.vet_order(closing=False)
    assert verdict.rule is RiskRule.KILL_SWITCH
    assert verdict.reason == "Kill switch is on (by /kill at 12:03 UTC). New positions are refused; /resume lifts it."
    assert "chat:42" not in verdict.reason
    assert switch.vet_order(closing=True).allowed
    assert not switch.closes_positions


def test_kill_flat_also_closes_every_position():
    switch, _ = engage(KillSwitch(), flat=True, by="chat:42", reason="/kill flat", ts_ms=1_000)
    assert switch.mode is KillMode.ACTIVE_FLAT and switch.closes_positions
    assert not switch.vet_order(closing=False).allowed


def test_switch_off_lets_every_order_through():
    assert KillSwitch().vet_order(closing=False).allowed and not KillSwitch().engaged


def test_engaging_again_changes_nothing_and_keeps_the_first_who_and_why():
    first, _ = engage(KillSwitch(), flat=False, by="signal:SIGTERM", reason="shutdown", ts_ms=1)
    again, changed = engage(first, flat=False, by="file:KILL", reason="KILL file", ts_ms=2)
    assert not changed and again == first


def test_kill_flat_escalates_an_active_switch_but_kill_never_weakens_a_flat_one():
    active, _ = engage(KillSwitch(), flat=False, by="file:KILL", reason="KILL file", ts_ms=1)
    flat, escalated = engage(active, flat=True, by="chat:42", reason="/kill flat", ts_ms=2)
    still_flat, weakened = engage(flat, flat=False, by="chat:42", reason="/kill", ts_ms=3)
    assert escalated and flat.mode is KillMode.ACTIVE_FLAT
    assert not weakened and still_flat == flat


def test_resume_turns_the_switch_off_and_records_who():
    engaged, _ = engage(KillSwitch(), flat=True, by="chat:42", reason="/kill flat", ts_ms=1)
    off, changed = release(engaged, by="chat:7", ts_ms=5)
    assert changed and off.mode is KillMode.OFF and (off.by, off.since_ms) == ("chat:7", 5)
    assert release(off, by="chat:7", ts_ms=6) == (off, False)


def test_engaged_switch_survives_a_restart_through_json():
    switch, _ = engage(KillSwitch(), flat=True, by="signal:SIGTERM", reason="shutdown", ts_ms=1_755_000_000)
    text = json.dumps(switch.snapshot())
    assert '"mode": "active_flat"' in text
    assert KillSwitch.restore(json.loads(text)) == switch


def test_the_switch_names_its_cause_in_the_users_words_and_local_time():
    by_file, _ = engage(KillSwitch(), flat=False, by="file:KILL", reason="KILL file found in /data", ts_ms=0)
    by_signal, _ = engage(KillSwitch(), flat=False, by="signal:SIGTERM", reason="stop", ts_ms=0)
    flat, _ = engage(KillSwitch(), flat=True, by="chat:42", reason="/kill flat", ts_ms=0)
    assert (by_file.cause, by_signal.cause, flat.cause) == ("the KILL file", "a SIGTERM stop of the process",
                                                            "/kill flat")
    assert flat.vet_order(closing=False, timezone="Asia/Seoul").reason == (
        "Kill switch is on (by /kill flat at 09:00 Asia/Seoul) and every position is being closed. "
        "New positions are refused; /resume lifts it.")
