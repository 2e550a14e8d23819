"""The LLM client sends the chat messages it is given, role by role, and refuses a role it never sends."""
from __future__ import annotations

import pytest

from tests.fakes.openai_api import FakeOpenAI, text
from trading.adapters.openai_client import LlmClient


async def test_system_user_and_assistant_messages_reach_the_server_as_given():
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Why?"},
                {"role": "assistant", "content": "Because."}, {"role": "user", "content": "And now?"}]
    async with FakeOpenAI() as fake:
        fake.script(text("Still because."))
        client = LlmClient("fake-model", base_url=fake.base_url, timeout_s=5.0)
        try:
            done = await client.complete(messages, None, "answer")
        finally:
            await client.close()

    assert done.text == "Still because."
    assert [call.body["messages"] for call in fake.calls] == [messages]


async def test_a_message_with_a_role_the_client_never_sends_is_refused_before_any_request():
    async with FakeOpenAI() as fake:
        client = LlmClient("fake-model", base_url=fake.base_url, timeout_s=5.0)
        try:
            with pytest.raises(ValueError, match="a chat message has the role 'tool': expected system, user or"):
                await client.complete([{"role": "tool", "content": "42"}], None, "answer")
        finally:
            await client.close()

    assert fake.calls == []
