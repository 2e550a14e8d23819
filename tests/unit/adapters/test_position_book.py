from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tests.fakes.money_properties import MONEY_PROPERTY
from trading.adapters.position_book import PositionBook
from trading.domain.orders import Fill, Order, OrderStatus, OrderType, Side
from trading.domain.positions import PositionSide
from trading.engine.account import ChangeKind

PERP = "BTC/USDT:USDT"


def order(side: Side, reduce_only: bool = False, symbol: str = PERP) -> Order:
    return Order("1", "ta-1", symbol, side, OrderType.MARKET, Decimal(1), OrderStatus.FILLED, 0,
                 reduce_only=reduce_only)


def fill(side: Side, amount: str, price: str, fee: str = "0", symbol: str = PERP) -> Fill:
    return Fill("1", symbol, side, Decimal(amount), Decimal(price), Decimal(fee), "USDT", 7)


def test_a_futures_sell_beyond_the_long_closes_it_and_opens_a_short_with_the_rest():
    book = PositionBook(futures=True)
    book.apply_fill(order(Side.BUY), fill(Side.BUY, "1", "100", "0.1"), leverage=5)

    changes = book.apply_fill(order(Side.SELL), fill(Side.SELL, "3", "110", "0.3"), leverage=5)

    closed, opened = changes
    assert (closed.kind, closed.realized_pnl, closed.position.fees_paid) == (ChangeKind.CLOSED, Decimal(10),
                                                                             Decimal("0.2"))
    assert (opened.kind, opened.position.side, opened.position.amount) == (ChangeKind.OPENED, PositionSide.SHORT,
                                                                           Decimal(2))
    assert opened.position.margin == Decimal(2) * 110 / 5 and opened.position.fees_paid == Decimal("0.2")


def test_a_reduce_only_fill_never_opens_the_other_side():
    book = PositionBook(futures=True)
    book.apply_fill(order(Side.SELL), fill(Side.SELL, "1", "100"), leverage=2)

    (change,) = book.apply_fill(order(Side.BUY, reduce_only=True), fill(Side.BUY, "2", "90"), leverage=2)

    assert change.kind is ChangeKind.CLOSED and change.realized_pnl == Decimal(10) and book.all() == []


def test_a_spot_sell_of_coins_the_bot_never_bought_changes_nothing():
    book = PositionBook(futures=False)

    assert book.apply_fill(order(Side.SELL, symbol="BTC/USDT"), fill(Side.SELL, "1", "100", symbol="BTC/USDT")) == []


def test_spot_buys_average_the_entry_and_margin_is_their_cost():
    book = PositionBook(futures=False)
    book.apply_fill(order(Side.BUY, symbol="BTC/USDT"), fill(Side.BUY, "1", "100", symbol="BTC/USDT"), leverage=9)

    book.apply_fill(order(Side.BUY, symbol="BTC/USDT"), fill(Side.BUY, "3", "120", symbol="BTC/USDT"), leverage=9)

    (position,) = book.all()
    assert (position.amount, position.entry_price, position.margin, position.leverage) == (
        Decimal(4), Decimal(115), Decimal(460), 1)


def test_the_book_survives_a_round_trip_through_plain_data():
    book = PositionBook(futures=True)
    book.apply_fill(order(Side.BUY), fill(Side.BUY, "1", "100"), leverage=3)
    again = PositionBook(futures=True)

    again.restore(book.to_state())

    assert again.all() == book.all()


# ---- the live book keeps the same books as the simulator: booked amounts, and equity adding up exactly ------

fills = st.lists(st.tuples(st.sampled_from([Side.BUY, Side.SELL]),
                           st.decimals(min_value="0.001", max_value="0.5", places=3),
                           st.decimals(min_value=20_000, max_value=100_000, places=1),
                           st.integers(1, 20), st.booleans()), min_size=1, max_size=30)


def _is_booked(value: Decimal) -> bool:
    return value == value.quantize(Decimal("1e-8"))


@MONEY_PROPERTY
@given(fills, st.decimals(min_value=20_000, max_value=100_000, places=1), st.booleans())
def test_the_live_book_books_finite_amounts_and_equity_is_wallet_plus_unrealised(steps, mark, futures):
    book = PositionBook(futures=futures)
    wallet = Decimal("10000.12345678")     # the exchange's figure; the book never changes it
    for side, amount, price, leverage, reduce_only in steps:
        fee = (amount * price * Decimal("0.0004")).quantize(Decimal("1e-8"))
        if not futures and side is Side.SELL and book.get(PERP) is None:
            continue
        book.apply_fill(order(side, reduce_only), fill(side, str(amount), str(price), str(fee)), leverage=leverage)
        for position in book.all():
            assert all(_is_booked(v) for v in (position.margin, position.entry_price, position.fees_paid,
                                               position.realized_pnl))
    summary = book.summary("USDT", wallet, {PERP: mark})
    unrealized = sum((p.unrealized_pnl(mark) for p in book.all()), Decimal(0))
    if futures:
        assert summary.equity == wallet + unrealized
    else:
        assert summary.equity == wallet + sum((p.amount * mark for p in book.all()), Decimal(0))


def test_a_partial_close_of_a_3x_position_releases_a_booked_share_and_keeps_the_rest_exact():
    book = PositionBook(futures=True)
    book.apply_fill(order(Side.BUY), fill(Side.BUY, "0.07", "100001", "0"), leverage=3)
    # margin 7,000.07 / 3 = 2,333.35666666.. -> 2,333.35666667 (half to even at 1e-8)
    assert book.get(PERP).margin == Decimal("2333.35666667")
    book.apply_fill(order(Side.SELL, reduce_only=True), fill(Side.SELL, "0.03", "100001", "0"), leverage=3)
    # released 2,333.35666667 x 3 / 7 = 1,000.0100000014.. -> 1,000.01; 1,333.34666667 stays
    assert book.get(PERP).margin == Decimal("1333.34666667")
