"""The LLM as a sweep's region advisor, through the real openai SDK and the fake server: a strict JSON grid is
used, anything else (garbage, a refusal, a grid out of bounds, a server that fails) falls back to the rule."""
import json
import pickle

from pydantic import SecretStr

from tests.fakes.openai_api import MODEL, ThreadedFakeOpenAI, rate_limited, refusal, text
from trading.adapters.llm_region_advisor import LlmRegionAdvisor
from trading.backtest.search_region import around_best, next_region
from trading.backtest.sweep import TrialResult
from trading.backtest.sweep_report import SweepSummary

SPACE = {"left": (3.0, 5.0, 8.0), "rules_min_rr": (1.5, 2.5)}
KEY = "sk-region-advisor-secret-0123456789"


def summary() -> SweepSummary:
    results = []
    for index, (left, rr) in enumerate((a, b) for a in SPACE["left"] for b in SPACE["rules_min_rr"]):
        score = 4.0 if (left, rr) == (5.0, 2.5) else -1.0 - index
        results.append(TrialResult(index, (("left", left), ("rules_min_rr", rr)), (1.0, 2.0), (score, 0.5), 7))
    return SweepSummary("C", "BTC/USDT", SPACE, tuple(results), 1.5, (3, 3), 0.4, 0.2, 2, 1_750_000_000_000,
                        1_751_000_000_000)


def answer(region: dict) -> str:
    return json.dumps({"region": region, "reason": "the best trial sits between these values"})


def advisor(fake) -> LlmRegionAdvisor:
    return LlmRegionAdvisor(MODEL, fake.base_url, SecretStr(KEY), timeout_s=5)


def test_a_sound_answer_is_the_next_region_asked_in_strict_json_with_no_secret_in_the_prompt():
    with ThreadedFakeOpenAI() as fake:
        fake.script(text(answer({"left": [4, 5, 6], "rules_min_rr": [2.25, 2.5, 2.75]})))
        region, why = next_region(summary(), advisor(fake))

    assert why == "advisor" and region == {"left": (4.0, 5.0, 6.0), "rules_min_rr": (2.25, 2.5, 2.75)}
    asked = fake.calls[0]
    assert asked.response_format == "json_schema"
    assert asked.schema["properties"]["region"]["required"] == ["left", "rules_min_rr"]
    assert '"strategy": "C"' in asked.prompt and '"out_of_sample_pct": 4.52' in asked.prompt   # (1.04 x 1.005 - 1)
    assert KEY not in asked.prompt and KEY not in repr(advisor(fake))
    assert asked.headers.get("Authorization") == f"Bearer {KEY}"        # the key goes only where it belongs


def test_every_unusable_answer_falls_back_to_the_rule_and_says_why():
    cases = [
        (text("Search around left 5, I would say."), "rule (the advisor failed: no JSON object in the answer)"),
        (text('{"region": {"left": ["five"]}}'), "rule (the advisor failed: left needs finite numbers)"),
        (text(answer({"nope": [1]})),
         "rule (the advisor failed: the region names a parameter the sweep does not have)"),
        (refusal(), "rule (the advisor failed: the model refused to answer)"),
        (text(answer({"left": [40, 50]})), "rule (the advisor's grid was refused: left outside 0 to 13)"),
        (text(answer({"left": [1, 2, 3, 4, 5, 6, 7, 8, 9]})),
         "rule (the advisor failed: left needs a list of 1 to 8 numbers)"),
    ]
    with ThreadedFakeOpenAI() as fake:
        for reply, reason in cases:
            fake.script(reply)
            region, why = next_region(summary(), advisor(fake))
            assert (region, why) == (around_best(summary()), reason)


def test_a_failing_or_missing_server_falls_back_to_the_rule():
    with ThreadedFakeOpenAI() as fake:
        fake.script(rate_limited(0.01), rate_limited(0.01))
        _, why = next_region(summary(), advisor(fake))
        gone = LlmRegionAdvisor(MODEL, f"http://127.0.0.1:{fake.port}/v1", SecretStr(KEY), timeout_s=5)
    assert why == "rule (the advisor failed: HTTP 429 twice (after one retry))"
    _, why = next_region(summary(), gone)          # the server has stopped
    assert why == "rule (the advisor failed: cannot reach the LLM server (check OPENAI_BASE_URL))"


def test_the_advisor_travels_to_the_backtest_worker_without_showing_its_key():
    shipped = pickle.loads(pickle.dumps(LlmRegionAdvisor(MODEL, "http://127.0.0.1:1/v1", SecretStr(KEY))))
    assert shipped.api_key.get_secret_value() == KEY and KEY not in repr(shipped)
