"""The fake OpenAI server answers the real openai SDK as an OpenAI-compatible server would."""
import json

import openai
import pytest
from openai import AsyncOpenAI

from tests.fakes.openai_api import (FakeOpenAI, decision, late, rate_limited, refusal, server_error, text,
                                    truncated)

SCHEMA = {"type": "json_schema", "json_schema": {"name": "decision", "strict": True,
                                                 "schema": {"type": "object", "properties": {},
                                                            "additionalProperties": False}}}
ASK = [{"role": "user", "content": "What now?"}]


def client(fake: FakeOpenAI, timeout: float = 5.0) -> AsyncOpenAI:
    return AsyncOpenAI(api_key="sk-test", base_url=fake.base_url, max_retries=0, timeout=timeout)


async def test_a_scripted_decision_comes_back_with_usage_figures():
    async with FakeOpenAI() as fake:
        fake.script(decision("BUY", 0.9, size_pct=10))
        reply = await client(fake).chat.completions.create(model="m", messages=ASK, response_format=SCHEMA)
    body = json.loads(reply.choices[0].message.content)
    assert body["action"] == "BUY" and body["size_pct"] == 10 and body["limit_price"] is None
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage.prompt_tokens == len("What now?") // 4 and reply.usage.completion_tokens > 0
    assert fake.calls[0].response_format == "json_schema" and fake.calls[0].schema == SCHEMA["json_schema"]["schema"]


async def test_without_a_response_format_the_text_is_returned_as_scripted():
    async with FakeOpenAI() as fake:
        fake.script(text("not json at all"), truncated(), refusal("no"))
        api = client(fake)
        first = await api.chat.completions.create(model="m", messages=ASK)
        cut = await api.chat.completions.create(model="m", messages=ASK)
        refused = await api.chat.completions.create(model="m", messages=ASK)
    assert first.choices[0].message.content == "not json at all" and fake.calls[0].response_format == ""
    assert cut.choices[0].finish_reason == "length"
    assert refused.choices[0].message.content is None and refused.choices[0].message.refusal == "no"


async def test_a_server_that_rejects_json_schema_answers_400_and_still_serves_json_mode():
    async with FakeOpenAI(reject_json_schema=True) as fake:
        api = client(fake)
        with pytest.raises(openai.BadRequestError) as refused:
            await api.chat.completions.create(model="m", messages=ASK, response_format=SCHEMA)
        ok = await api.chat.completions.create(model="m", messages=ASK, response_format={"type": "json_object"})
    assert "json_schema" in refused.value.message
    assert json.loads(ok.choices[0].message.content)["action"] == "HOLD"


async def test_rate_limit_carries_retry_after_and_a_500_is_an_internal_server_error():
    async with FakeOpenAI() as fake:
        fake.script(rate_limited(2), server_error())
        api = client(fake)
        with pytest.raises(openai.RateLimitError) as limited:
            await api.chat.completions.create(model="m", messages=ASK)
        with pytest.raises(openai.InternalServerError):
            await api.chat.completions.create(model="m", messages=ASK)
    assert limited.value.response.headers["retry-after"] == "2"


async def test_a_late_reply_times_the_client_out():
    async with FakeOpenAI() as fake:
        fake.script(late(5.0))
        with pytest.raises(openai.APITimeoutError):
            await client(fake, timeout=0.2).chat.completions.create(model="m", messages=ASK)


async def test_a_connection_check_is_answered_without_taking_a_scripted_reply():
    async with FakeOpenAI() as fake:
        fake.script(decision("BUY"))
        reply = await client(fake).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "Probe: answer {\"ok\": true}"}])
    assert json.loads(reply.choices[0].message.content) == {"ok": True}
    assert len(fake.probes) == 1 and fake.calls == []
