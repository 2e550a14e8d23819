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


def test_positions_get_a_close_button_only_where_the_symbol_comes_back_as_it_was():
    from decimal import Decimal

    from bot.handlers.position_buttons import closed_position, positions_keyboard
    from trading.domain.positions import Position, PositionSide
    from trading.services.portfolio_views import PositionView

    def view(symbol: str) -> PositionView:
        return PositionView(Position(symbol, PositionSide.LONG, Decimal(1), Decimal(100), 36), Decimal(100))

    markup = positions_keyboard([view("BTC/USDT:USDT-250926"), view("币安人生/USDT"), view("BTC/USDT:USDT")], 4242)
    *closes, refresh = markup.inline_keyboard
    assert [row[0].text for row in closes] == ["Close BTC/USDT:USDT"]     # the dated one read back as another
    data = closes[0][0].callback_data
    assert closed_position(data.split(":", 2)[2].split("_", 1)[1]) == ("BTC/USDT:USDT", 36)
    assert refresh[0].text.endswith("Refresh")
