"""The client ids of the bot's orders are built and read in one place: what one side builds, the other reads."""
import hashlib

from trading.domain.client_ids import (approval_client_id, entry_client_id, exit_client_id, exit_number,
                                       is_approved_order, is_engine_entry, is_engine_order, origin_client_id)

KEY = "ta-0123456789abcdef0123"


def test_an_entry_id_is_the_prefix_and_twenty_hex_of_its_origin():
    digest = hashlib.sha256(b"A:BTC/USDT:x").hexdigest()[:20]
    assert entry_client_id("A:BTC/USDT:x") == f"ta-{digest}" == entry_client_id("A:BTC/USDT:x")
    assert len(entry_client_id("A:BTC/USDT:x")) == 23 and entry_client_id("y") != entry_client_id("A:BTC/USDT:x")


def test_an_exit_id_is_read_back_as_its_entry_key_and_number():
    assert exit_client_id(KEY, 3) == "ta-0123456789abcdef0123-x3"
    assert exit_number(exit_client_id(KEY, 12)) == (KEY, 12)


def test_the_last_x_counts_when_the_key_holds_one_too():
    assert exit_number("ta-ab-x1-x2") == ("ta-ab-x1", 2)


def test_ids_that_are_not_engine_exits_read_as_none():
    for client_id in (KEY, "manual-0badc0ffee123456", "ta-abc-x", "ta-abc-x2a", "-x", "ta-abc-x2.r1",
                      "ta-abc-x\u0663"):          # an Arabic-Indic three: str.isdigit says yes, the id is not ours
        assert exit_number(client_id) is None, client_id


def test_an_approved_leg_is_told_by_its_shape_not_by_ta_a_alone():
    first, second = approval_client_id("AbC-123_xyz", 0), approval_client_id("AbC-123_xyz", 1)
    digest = hashlib.sha256(b"AbC-123_xyz").hexdigest()[:20]
    assert (first, second) == (f"ta-a{digest}-0", f"ta-a{digest}-1") and len(first) == 26 <= 36
    assert is_approved_order(first) and is_approved_order(f"{second}.r2")
    # an engine entry whose own hex starts with "a" is no approved order, nor is an exit of it
    assert not is_approved_order("ta-a123456789abcdef0123") and not is_approved_order("ta-a123456789abcdef0123-x1")


def test_an_engine_entry_is_told_from_its_exits_the_approved_legs_and_the_user_s_orders():
    entry = entry_client_id("A:BTC/USDT:x")
    assert is_engine_entry(entry) and is_engine_entry("ta-a123456789abcdef0123")       # its hex may start with "a"
    for client_id in (exit_client_id(entry, 1), approval_client_id("AbC"), "manual-0123456789abcdef",
                      f"{entry}.r1", "ta-0123456789ABCDEF0123", "ta-0123456789abcdef012", "web-1"):
        assert not is_engine_entry(client_id), client_id


def test_the_engine_s_orders_are_ta_ids_but_the_approved_legs():
    entry = entry_client_id("A:BTC/USDT:x")
    assert is_engine_order(entry) and is_engine_order(exit_client_id(entry, 3)) and is_engine_order(f"{entry}.sl")
    for client_id in (approval_client_id("AbC", 1), f"{approval_client_id('AbC')}.r1", "manual-0123456789abcdef",
                      "web-1", "tax-1"):
        assert not is_engine_order(client_id), client_id


def test_a_re_placed_order_s_origin_is_its_id_without_the_re_price_suffixes():
    assert origin_client_id(f"{KEY}-x1.r1") == f"{KEY}-x1" and exit_number(origin_client_id(f"{KEY}-x1.r1")) == (KEY, 1)
    assert origin_client_id(f"{KEY}-x2.r1.r12") == f"{KEY}-x2"
    approved = approval_client_id("42", 1)
    assert origin_client_id(f"{approved}.r3") == approved
    # only a trailing run of ".r<digits>" is a re-price: anything else is kept as it is
    for client_id in (KEY, f"{KEY}-x1", f"{KEY}-x1.r", f"{KEY}-x1.rx", f"{KEY}-x1.r1x", "manual-0badc0ffee123456",
                      f"{KEY}-x1.r\u0663", f"{KEY}.sl"):
        assert origin_client_id(client_id) == client_id, client_id
