"""Which symbols a button's callback data can carry, and back: by hand."""
from bot.callback_data import Callback
from bot.views.choices import symbol_fits, symbol_of, symbol_ref, timeframe_choices


def test_a_symbol_fits_when_its_ref_holds_only_callback_characters_and_reads_back_as_it_was():
    assert symbol_fits("BTC/USDT") and symbol_fits("BTC/USDT:USDT") and symbol_fits("1000PEPE/USDT:USDT")
    assert symbol_of(symbol_ref("BTC/USDT:USDT")) == "BTC/USDT:USDT"
    assert not symbol_fits("币安人生/USDT")                # not in callback data's characters
    assert not symbol_fits("BTC/USDT:USDT-250926")         # its '-' would read back as ':'
    assert not symbol_fits("A_B/USDT")                      # '_' separates the asker and a chart's timeframe
    assert not symbol_fits("BTC USDT")


def test_a_chart_of_a_symbol_no_button_can_carry_gets_no_timeframe_buttons():
    assert timeframe_choices("币安人生/USDT", 4242) is None
    markup = timeframe_choices("BTC/USDT:USDT", 4242)
    assert markup is not None and markup.inline_keyboard[0][1].callback_data == "ch:tf:4242_15m_BTC.USDT-USDT"


def test_callback_fits_says_what_encode_would_refuse():
    assert Callback("px", "pick", "4242_BTC.USDT").fits()
    assert not Callback("px", "pick", "4242_币安人生.USDT").fits()
    assert not Callback("px", "pick", "9" * 41).fits()                # the id is at most 40 characters
