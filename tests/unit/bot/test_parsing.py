"""The command parsers and the callback-data decoder never crash: a typed request, or a short clear InvalidInput."""
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from bot.callback_data import OUT_OF_DATE, Callback, decode
from bot.parsing import (CODE, backtest_words, code_digits, count, entry_request, exit_request, looks_like_code,
                         number)
from trading.backtest.periods import parse_period
from trading.domain.errors import BadSymbol, InvalidInput
from trading.domain.symbols import resolve_symbol
from trading.services.portfolio import SizeKind
from trading.services.reports import ReportPeriod

KNOWN = ["BTC/USDT", "ETH/USDT"]
NOW = 1_753_142_400_000
JUNK = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789.,-$eE+xX%²١٢₅", max_size=30),
    st.sampled_from(["NaN", "Infinity", "-inf", "1e999999", "0x10", "1_000", "²", "١٢", "<b>", "&amp;", "</i>",
                     "all", "ALL", "limit", "50%", "%", "1e3", "0", "-0", "00.5", "."]),
    st.text(min_size=1000, max_size=5000))
ARGS = st.lists(JUNK, max_size=5)


def assert_clear(error: Exception) -> None:
    assert str(error) and len(str(error)) <= 400, str(error)[:500]


@settings(max_examples=300, deadline=None)
@given(ARGS, st.sampled_from(["buy", "short", "sell", "cover"]))
def test_order_arguments_give_a_request_or_a_clear_refusal(args, command):
    parse = entry_request if command in ("buy", "short") else exit_request
    try:
        request = parse(args, command)
    except InvalidInput as exc:
        assert_clear(exc)
        return
    size = getattr(request, "size", None)
    amounts = [getattr(request, "quote", None), getattr(request, "limit", None),
               size.value if size is not None and size.kind is not SizeKind.ALL else None]
    assert all(a is None or (a.is_finite() and a > 0) for a in amounts)


@settings(max_examples=300, deadline=None)
@given(ARGS)
def test_a_count_is_a_number_in_range_or_a_clear_refusal(args):
    try:
        n = count(args, 10, 50, "/trades [n]")
    except InvalidInput as exc:
        assert_clear(exc)
        return
    assert 1 <= n <= 50


@pytest.mark.parametrize("typed", ["²", "١٢", "99999999999999999999", "1e3", "-1"])
def test_trades_with_odd_digits_is_refused_not_a_crash(typed):
    with pytest.raises(InvalidInput, match="Give a number from 1 to 50"):
        count([typed], 10, 50, "/trades [n]")


@pytest.mark.parametrize("typed, value", [("100", "100"), ("$1,000.50", "1000.50"), (".5", "0.5"), ("7.", "7"),
                                          ("1,234,567", "1234567")])
def test_plain_numbers_are_read(typed, value):
    assert number(typed, "The amount", "/buy") == Decimal(value)


@pytest.mark.parametrize("typed, thousands, decimals", [("1,000", "1000", "1.000"), ("$10,000", "10000", "10.000"),
                                                        ("250,500", "250500", "250.500")])
def test_one_comma_group_alone_is_asked_again_not_guessed(typed, thousands, decimals):
    # before: '1,000' was read as one thousand; a user writing decimals with a comma meant one, 1000x less
    with pytest.raises(InvalidInput, match="could be read two ways") as refused:
        number(typed, "The amount", "/buy")
    assert f"write {thousands} for" in str(refused.value) and f"or {decimals} with a dot" in str(refused.value)


@pytest.mark.parametrize("typed, example", [("100,5", "write 100.5 "), ("0,001", "write 0.001 "),
                                            ("1,00", "write 1.00 "), ("12,34,567", "write 100.5 "),
                                            ("1,000,5", "write 100.5 "), ("1.000,50", "write 1000.50 "),
                                            ("01,000", "write 1.000 ")])
def test_a_decimal_comma_is_refused_not_read_as_thousands(typed, example):
    # before: '/buy BTC/USDT 100,5' bought 1,005 USDT of BTC
    with pytest.raises(InvalidInput, match="The amount must use a dot for decimals") as refused:
        number(typed, "The amount", "/buy")
    assert example in str(refused.value)


@pytest.mark.parametrize("typed", ["1e3", "NaN", "Infinity", "0x10", "١٢", "1" * 16])
def test_numbers_beyond_plain_notation_are_refused_with_a_short_echo(typed):
    with pytest.raises(InvalidInput, match="must be a number like 100 or 0.5"):
        number(typed + "9" * 4000 if typed == "1e3" else typed, "The amount", "/buy")


@settings(max_examples=300, deadline=None)
@given(JUNK)
def test_what_the_core_parses_from_the_chat_raises_only_its_own_errors(text):
    for parse, errors in ((lambda t: resolve_symbol(t, KNOWN), BadSymbol),
                          (lambda t: parse_period(t, NOW), ValueError),
                          (ReportPeriod.parse, InvalidInput)):
        try:
            parse(text)
        except errors as exc:
            assert_clear(exc)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=100), st.binary(max_size=80).map(lambda b: b.decode("latin-1")), st.none(),
                 st.builds(lambda p, a, i: f"{p}:{a}:{i}", st.text(max_size=10), st.text(max_size=10),
                           st.text(max_size=50))))
def test_the_callback_decoder_returns_a_callback_or_says_the_button_is_out_of_date(data):
    try:
        callback = decode(data)
    except InvalidInput as exc:
        assert str(exc) == OUT_OF_DATE
        return
    assert callback.encode() == data


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
       st.from_regex(r"[A-Za-z0-9_.-]{0,40}", fullmatch=True))
def test_every_encoded_callback_decodes_to_itself(prefix, action, ident):
    callback = Callback(prefix, action, ident)
    assert decode(callback.encode()) == callback


@pytest.mark.parametrize("typed", ["123456", "123 456", " 123-456 ", "12 34 56", "123456.", "code: 123456",
                                   "Code 123 456", "OTP#123 456", "2fa 123456!", "123.456", "123,456"])
def test_a_two_factor_code_is_read_in_the_forms_people_type_it(typed):
    assert CODE.match(typed) and code_digits(typed) == "123456"


@pytest.mark.parametrize("typed", ["1234567", "12345", "123  456", "code 123456 please", "١٢٣٤٥٦", "buy 123456",
                                   "117.356?", "what about 117.356"])      # a price asked about, in words
def test_other_text_is_not_a_code(typed):
    assert CODE.match(typed) is None


def test_text_with_three_digits_in_a_row_is_held_back_while_a_code_is_awaited():
    assert looks_like_code("it is 12 3") and looks_like_code("123") and not looks_like_code("BTC up 2 or 3%?")


BUY_USAGE = "Usage: /buy SYMBOL AMOUNT_USDT [limit PRICE], e.g. /buy BTC/USDT 100 or /buy BTC/USDT 100 limit 60000"
SELL_USAGE = "Usage: /sell SYMBOL [AMOUNT|PCT%|all], e.g. /sell BTC/USDT 50%"


@pytest.mark.parametrize("typed, reason", [
    ("BTC/USDT 100 now please", "Unexpected 'now please' after the amount: only limit PRICE may follow it."),
    ("BTC/USDT 100 limit", "The limit price is missing after 'limit'."),
    ("BTC/USDT 100 at 60000", "Expected the word limit before the price, got 'at'."),
    ("BTC/USDT", "The amount in USDT is missing."),
    ("", "Give a symbol and an amount in USDT.")])
def test_a_malformed_entry_says_what_was_wrong_before_the_usage(typed, reason):
    # before: the bare "Usage: ..." line, with no word of what was wrong
    with pytest.raises(InvalidInput) as refused:
        entry_request(typed.split(), "buy")
    assert str(refused.value) == f"{reason} {BUY_USAGE}"


@pytest.mark.parametrize("typed, reason", [
    ("BTC/USDT 50 %", "Write the percentage with no space before %: 50%."),
    ("BTC/USDT 0.01 BTC", "Unexpected 'BTC' after the amount (the amount is in the coin, BTC, already)."),
    ("BTC/USDT 0.01 now", "Unexpected 'now' after the amount."),
    ("", "Give a symbol, then an amount in the coin, a percentage or all.")])
def test_a_malformed_exit_says_what_was_wrong_before_the_usage(typed, reason):
    with pytest.raises(InvalidInput) as refused:
        exit_request(typed.split(), "sell")
    assert str(refused.value) == f"{reason} {SELL_USAGE}"


BACKTEST_USAGE = "Usage: /backtest STRATEGY SYMBOL [PERIOD], e.g. /backtest A BTC/USDT 30d"


@pytest.mark.parametrize("typed, reason", [
    ("A BTC/USDT 30 days", "Write the period as one word: 30d, not '30 days'."),
    ("A BTC/USDT 30d fast", "Unexpected 'fast' after the period."),
    ("A", "Give a strategy and a symbol.")])
def test_a_backtest_with_misshapen_words_says_what_was_wrong_before_the_usage(typed, reason):
    # before: the bare usage line for /backtest A BTC/USDT 30 days
    with pytest.raises(InvalidInput) as refused:
        backtest_words(typed.split(), 2, BACKTEST_USAGE)
    assert str(refused.value) == f"{reason} {BACKTEST_USAGE}"


def test_a_well_shaped_backtest_passes_its_words_on():
    assert backtest_words(["A", "BTC/USDT"], 2, BACKTEST_USAGE) == ["A", "BTC/USDT"]
    assert backtest_words(["C"], 1, BACKTEST_USAGE) == ["C"]
    with pytest.raises(InvalidInput, match="^Give a strategy. Usage"):
        backtest_words([], 1, BACKTEST_USAGE)
