"""Chat Completions on any OpenAI-compatible server through the openai SDK's AsyncOpenAI.

Structured output falls back the way local servers need: a strict json_schema, else JSON mode, else plain
text (the caller then takes the first JSON object); a 400 to a format moves down the chain, and the format
that worked is remembered. A start-up probe finds it before the first decision. A 429 or 5xx is retried
once, after the server's Retry-After; a timeout is not retried. Errors never carry the server's text
(a 401 echoes part of the key): only the status and a word on what to check.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Awaitable, Callable, Sequence

import openai
from openai import AsyncOpenAI
from openai.types.chat import (ChatCompletion, ChatCompletionAssistantMessageParam, ChatCompletionMessageParam,
                               ChatCompletionSystemMessageParam, ChatCompletionUserMessageParam)

from trading.domain.decisions import DecisionSource, LlmFailure

PROBE_PROMPT = 'Probe: reply with the JSON object {"ok": true} and nothing else.'
PROBE_SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"],
                "additionalProperties": False}
PROBE_REPLY_TOKENS = 20
DEFAULT_RETRY_WAIT_S = 1.0
NO_KEY = "not-needed"      # local servers want no key; the SDK wants a string
NOT_A_COMPLETION = "the LLM server's answer is not a chat completion (check OPENAI_BASE_URL)"
STATUS_HINTS = {402: " (payment required: check the account's credits)", 413: " (the request is too large)"}
# answered by the caller: a 400/422 moves down the format chain, a 429/5xx is retried once
RETRIED_OR_NEXT_FORMAT = (openai.BadRequestError, openai.UnprocessableEntityError, openai.RateLimitError,
                          openai.InternalServerError)


class ReplyFormat(StrEnum):
    """How the server is asked for JSON, strictest first."""

    JSON_SCHEMA = "json_schema"
    JSON_OBJECT = "json_object"
    TEXT = "text"


CHAIN = (ReplyFormat.JSON_SCHEMA, ReplyFormat.JSON_OBJECT, ReplyFormat.TEXT)


@dataclass(frozen=True, slots=True)
class Completion:
    """One reply and what it cost."""

    text: str
    finish_reason: str
    refusal: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: int
    format: ReplyFormat


Message = dict[str, str]
__all__ = ["CHAIN", "Completion", "LlmClient", "LlmFailure", "ReplyFormat"]


class LlmClient:
    """One model on one OpenAI-compatible server."""

    def __init__(self, model: str, *, api_key: str = "", base_url: str = "", timeout_s: float = 20.0,
                 response_format: str = "auto", max_reply_tokens: int = 700, retry_wait_max_s: float = 10.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.max_reply_tokens = max_reply_tokens
        self.retry_wait_max_s = retry_wait_max_s
        self._sleep = sleep
        self.calls = 0              # replies received (a retried request counts once)
        self._auto = response_format == "auto"
        self.format: ReplyFormat | None = None if self._auto else ReplyFormat(response_format)
        self._openrouter = "openrouter" in base_url
        self._api = AsyncOpenAI(api_key=api_key or NO_KEY, base_url=base_url or None, timeout=timeout_s,
                                max_retries=0)

    @property
    def format_label(self) -> str:
        """Return the structured-output format in use, for /status ('auto: not probed yet' before the probe)."""
        if self.format is None:
            return "auto: not probed yet"
        return f"{self.format} ({'found by probe' if self._auto else 'set'})"

    async def probe(self) -> Completion:
        """Find the strictest format the server takes (auto) with a tiny request; return the reply (format, tokens)."""
        messages = [{"role": "user", "content": PROBE_PROMPT}]
        return await self.complete(messages, PROBE_SCHEMA, "probe", max_tokens=PROBE_REPLY_TOKENS)

    async def complete(self, messages: Sequence[Message], schema: dict[str, Any] | None, schema_name: str,
                       max_tokens: int | None = None) -> Completion:
        """Return the reply to messages (structured by schema when the server allows); raise LlmFailure."""
        chosen = ReplyFormat.TEXT if schema is None else (self.format or ReplyFormat.JSON_SCHEMA)
        while True:
            try:
                completion = await self._with_one_retry(messages, chosen, schema, schema_name, max_tokens)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if not self._auto or chosen is ReplyFormat.TEXT:
                    raise LlmFailure(f"the server refused the request (HTTP {exc.status_code})",
                                     DecisionSource.ERROR) from None
                chosen = CHAIN[CHAIN.index(chosen) + 1]
                continue
            if schema is not None and self._auto:
                self.format = chosen        # remembered only once a reply came back in it
            self.calls += 1
            return completion

    async def _with_one_retry(self, messages: Sequence[Message], chosen: ReplyFormat, schema: dict[str, Any] | None,
                              schema_name: str, max_tokens: int | None) -> Completion:
        try:
            return await self._once(messages, chosen, schema, schema_name, max_tokens)
        except (openai.RateLimitError, openai.InternalServerError) as exc:
            wait = _retry_after(exc)
            if wait > self.retry_wait_max_s:
                raise LlmFailure(f"HTTP {exc.status_code}, the server asks to wait {wait:g} s",
                                 DecisionSource.ERROR) from None
            await self._sleep(wait)
        try:
            return await self._once(messages, chosen, schema, schema_name, max_tokens)
        except (openai.RateLimitError, openai.InternalServerError) as exc:
            raise LlmFailure(f"HTTP {exc.status_code} twice (after one retry)", DecisionSource.ERROR) from None

    async def _once(self, messages: Sequence[Message], chosen: ReplyFormat, schema: dict[str, Any] | None,
                    schema_name: str, max_tokens: int | None) -> Completion:
        chat, formats = _chat_messages(messages), self._format_args(chosen, schema, schema_name)
        started = time.perf_counter()
        try:
            reply = await asyncio.wait_for(self._api.chat.completions.create(
                model=self.model, messages=chat, max_tokens=max_tokens or self.max_reply_tokens,
                temperature=0, **formats), self.timeout_s + 1)
        except (openai.APITimeoutError, asyncio.TimeoutError):
            raise LlmFailure(f"no reply within {self.timeout_s:g} s", DecisionSource.TIMEOUT) from None
        except openai.APIConnectionError:
            raise LlmFailure("cannot reach the LLM server (check OPENAI_BASE_URL)", DecisionSource.ERROR) from None
        except openai.AuthenticationError:
            raise LlmFailure("the LLM server refused the key (HTTP 401: check OPENAI_API_KEY)",
                             DecisionSource.ERROR) from None
        except (openai.PermissionDeniedError, openai.NotFoundError) as exc:
            raise LlmFailure(f"HTTP {exc.status_code} (check LLM_MODEL and the account)",
                             DecisionSource.ERROR) from None
        except RETRIED_OR_NEXT_FORMAT:
            raise
        except openai.APIStatusError as exc:     # 402 (out of credits), 405, 409, 413...: the status, not the body
            raise LlmFailure(f"the LLM server answered HTTP {exc.status_code}{STATUS_HINTS.get(exc.status_code, '')}",
                             DecisionSource.ERROR) from None
        except (openai.APIError, ValueError):    # a body that is no JSON (ValueError), or not a completion
            raise LlmFailure(NOT_A_COMPLETION, DecisionSource.ERROR) from None
        if not isinstance(reply, ChatCompletion):       # JSON, but a list or a string: the SDK hands it back as is
            raise LlmFailure(NOT_A_COMPLETION, DecisionSource.ERROR)
        return _completion(reply, chosen, int((time.perf_counter() - started) * 1000))

    def _format_args(self, chosen: ReplyFormat, schema: dict[str, Any] | None, name: str) -> dict[str, Any]:
        if chosen is ReplyFormat.TEXT or schema is None:
            return {}
        if chosen is ReplyFormat.JSON_OBJECT:
            return {"response_format": {"type": "json_object"}}
        args: dict[str, Any] = {"response_format": {"type": "json_schema", "json_schema": {
            "name": name, "strict": True, "schema": schema}}}
        if self._openrouter:      # else OpenRouter may route to a provider that ignores the schema
            args["extra_body"] = {"provider": {"require_parameters": True}}
        return args

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._api.close()


def _completion(reply: Any, chosen: ReplyFormat, latency_ms: int) -> Completion:
    choice = reply.choices[0] if reply.choices else None
    message = choice.message if choice is not None else None
    usage = reply.usage
    return Completion(text=(message.content or "") if message is not None else "",
                      finish_reason=(choice.finish_reason or "") if choice is not None else "",
                      refusal=getattr(message, "refusal", None) if message is not None else None,
                      prompt_tokens=usage.prompt_tokens if usage is not None else 0,
                      completion_tokens=usage.completion_tokens if usage is not None else 0,
                      latency_ms=latency_ms, format=chosen)


def _retry_after(exc: openai.APIStatusError) -> float:
    header = exc.response.headers.get("retry-after") if exc.response is not None else None
    try:
        return max(0.0, float(header)) if header is not None else DEFAULT_RETRY_WAIT_S
    except ValueError:
        return DEFAULT_RETRY_WAIT_S


def _chat_messages(messages: Sequence[Message]) -> list[ChatCompletionMessageParam]:
    """Return the messages as the SDK's typed chat messages, or raise ValueError on a role we never send."""
    typed: list[ChatCompletionMessageParam] = []
    for message in messages:
        role, content = message["role"], message["content"]
        if role == "system":
            typed.append(ChatCompletionSystemMessageParam(role="system", content=content))
        elif role == "user":
            typed.append(ChatCompletionUserMessageParam(role="user", content=content))
        elif role == "assistant":
            typed.append(ChatCompletionAssistantMessageParam(role="assistant", content=content))
        else:
            raise ValueError(f"a chat message has the role {role!r}: expected system, user or assistant")
    return typed
