"""One splitter for every message: parts fit Telegram's limit, cut at line ends, with valid HTML in each part."""
import re

from hypothesis import given, settings, strategies as st

from bot.localchat.entities import plain_text as telegram_visible
from bot.replies import MAX_TEXT, plain_text, split_message, units


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_a_short_message_is_left_alone():
    assert split_message("<b>hi</b>\nthere") == ["<b>hi</b>\nthere"]


def test_a_long_message_is_cut_at_line_ends():
    lines = [f"line {i:04d} " + "x" * 40 for i in range(300)]
    parts = split_message("\n".join(lines))
    assert len(parts) == 4
    assert all(units(p) <= MAX_TEXT for p in parts)
    assert "\n".join(parts).splitlines() == lines, "every line arrives whole, in order"


def test_a_tag_open_at_a_cut_is_closed_and_reopened():
    text = "<b>" + "\n".join(["bold line"] * 600) + "</b>\nafter"
    parts = split_message(text, limit=1000)
    assert all(p.startswith("<b>") for p in parts[:-1])
    assert all(p.endswith("</b>") or p.endswith("after") for p in parts)
    for part in parts:
        telegram_visible(part, "HTML")    # raises on broken HTML, as Telegram would


def test_a_single_huge_line_is_cut_between_words_and_never_inside_an_entity():
    text = "&lt;tag&gt; " * 1000
    parts = split_message(text, limit=100)
    assert all(units(p) <= 100 for p in parts)
    assert all(re.fullmatch(r"(&lt;tag&gt; ?)+", p.strip()) for p in parts)


def test_a_word_longer_than_a_message_is_cut_hard():
    parts = split_message("🙂" * 5000, html_mode=False)
    assert [units(p) for p in parts] == [4096, 4096, 1808]


def test_plain_text_drops_tags_and_decodes_entities_but_keeps_a_bare_less_than():
    assert plain_text('<b>BTC</b> &lt; 5 <a href="x">link</a> and 3 < 4') == "BTC < 5 link and 3 < 4"


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
_HTML_PIECE = st.one_of(
    _TEXT.map(lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")),
    st.just("\n"), st.just("\n\n"),
    st.tuples(st.sampled_from(["b", "i", "code", "pre", "u"]), _TEXT).map(
        lambda p: f"<{p[0]}>{p[1].replace('&', '&amp;').replace('<', '&lt;')}</{p[0]}>"),
    st.just('<a href="https://example.com/?a=1&amp;b=2">link</a>'))


@settings(max_examples=150, deadline=None)
@given(st.lists(_HTML_PIECE, max_size=40), st.integers(min_value=60, max_value=600))
def test_every_part_fits_is_valid_html_and_nothing_is_lost(pieces, limit):
    text = "".join(pieces)
    parts = split_message(text, limit=limit)
    for part in parts:
        assert units(part) <= limit
        telegram_visible(part, "HTML")
    assert squeezed("".join(telegram_visible(p, "HTML") for p in parts)) == squeezed(telegram_visible(text, "HTML"))


@settings(max_examples=100, deadline=None)
@given(_TEXT.filter(str.strip), st.integers(min_value=2, max_value=50))
def test_plain_text_parts_fit_and_keep_every_character(text, limit):
    parts = split_message(text * 20, html_mode=False, limit=limit)
    assert all(units(p) <= limit for p in parts)
    assert squeezed("".join(parts)) == squeezed(text * 20)


def test_an_entity_like_run_longer_than_a_message_is_still_cut():
    parts = split_message("&" + "a" * 500 + ";", limit=100)
    assert all(units(p) <= 100 for p in parts) and "".join(parts) == "&" + "a" * 500 + ";"
