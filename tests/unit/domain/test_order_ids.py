"""A typed order id names the order whatever the case of its letters."""
from trading.domain.order_ids import order_id_spellings


def test_a_lower_case_paper_id_is_looked_up_as_the_paper_venue_writes_it():
    assert order_id_spellings("p-2") == ("p-2", "P-2")


def test_an_id_as_shown_comes_first_and_digits_have_one_spelling():
    assert order_id_spellings(" P-2 ") == ("P-2", "p-2")
    assert order_id_spellings("8389765") == ("8389765",)


def test_a_client_id_typed_in_capitals_is_looked_up_in_lower_case():
    assert order_id_spellings("TA-A1B2-0") == ("TA-A1B2-0", "ta-a1b2-0")
