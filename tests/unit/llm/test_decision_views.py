"""The chat's decision views: HOLD runs folded, buttons that name who asked, replies within Telegram's limits."""
from decimal import Decimal as D

from bot.callback_data import Callback, asker_and_ref
from bot.views.decisions import (chunks, decisions_page, parse_item_id, parse_page_id, page_id, prompt_messages)
from trading.domain.decision_log import DecisionRecord
from trading.services.decisions import DecisionPage, fold_holds

T = 1_751_371_200_000


def rec(n, action="HOLD", source="skipped", symbol="BTC/USDT", prompt=None):
    return DecisionRecord(T + n * 60_000, symbol, action, 0.8, source, "m", f"reason {n}", D("100"), prompt=prompt,
                          id=n)


def test_consecutive_holds_fold_into_one_line_and_other_actions_stand_alone():
    records = [rec(6), rec(5, source="model", prompt="p", symbol="ETH/USDT"), rec(4, "BUY", "model", prompt="p"),
               rec(3), rec(2), rec(1, "SELL", "model", prompt="p")]
    lines = fold_holds(records)
    assert [len(line.records) for line in lines] == [2, 1, 2, 1]
    assert lines[0].folded and lines[0].readable.id == 5 and lines[2].readable is None


def test_a_page_has_reasoning_and_prompt_buttons_for_each_answer_and_paging_with_the_asker_id():
    page = DecisionPage("BTC/USDT:USDT", tuple(fold_holds([rec(3), rec(2, "BUY", "model", prompt="p")])), 2, 9)
    text, keyboard = decisions_page(page, 42)
    assert "Decisions BTC/USDT:USDT" in text and "BUY" in text
    data = [b.callback_data for row in keyboard.inline_keyboard for b in row]
    assert data == ["dec:why:42-2", "dec:prompt:42-2", "dec:page:42-BTC_USDT.USDT-0", "dec:page:42-BTC_USDT.USDT-2"]
    assert parse_page_id("42-BTC_USDT.USDT-2") == (42, "BTC/USDT:USDT", 2)
    assert parse_page_id(page_id(7, "", None)) == (7, "", None) and parse_item_id("42-2") == (42, 2)
    assert parse_page_id("x-y") is None and parse_item_id("42") is None


def test_long_texts_are_cut_at_line_ends_into_messages_of_at_most_4096_characters():
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(200))
    parts = chunks(text)
    assert all(len(p) <= 4096 for p in parts) and "\n".join(parts) == text
    assert chunks("y" * 5000) == ["y" * 4096, "y" * 904]
    long_prompt = rec(1, "BUY", "model", prompt="p" * 9000)
    assert len(prompt_messages(long_prompt)) == 3 and prompt_messages(rec(2))[0].endswith("there is no prompt.")


def test_button_ids_with_odd_digits_or_past_a_database_integer_are_not_ours():
    # before: '²'.isdigit() let int('²') raise, and 20 digits reached SQLite as an overflow
    assert parse_page_id("²-all-0") is None and parse_page_id("42-all-²") is None
    assert parse_item_id("42-²") is None and parse_item_id("42-" + "9" * 20) is None
    assert asker_and_ref(Callback("ch", "pick", "²_BTC")) == (None, "²_BTC")
    assert asker_and_ref(Callback("ch", "pick", "42_BTC")) == (42, "BTC")


def test_a_page_of_a_symbol_no_button_can_carry_keeps_its_decision_buttons_without_paging():
    odd = "币安人生/USDT"
    page = DecisionPage(odd, tuple(fold_holds([rec(3, "BUY", "model", symbol=odd, prompt="p")])), 2, 9)
    text, keyboard = decisions_page(page, 42)
    assert "Decisions 币安人生/USDT" in text
    assert [b.callback_data for row in keyboard.inline_keyboard for b in row] == ["dec:why:42-3", "dec:prompt:42-3"]
