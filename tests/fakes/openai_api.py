"""A fake OpenAI-compatible server for tests: Chat Completions on 127.0.0.1, scripted reply by reply.

The real openai SDK talks to it (AsyncOpenAI(base_url=fake.base_url)). Each request takes the next scripted
Reply (or the default one): a JSON decision, any text, a reply cut off (finish_reason=length), a refusal,
a late reply, a 429 with Retry-After or a 500. Like local servers do, it can refuse response_format
json_schema (llama.cpp, older vLLM) or json_object (LM Studio) with a 400. A connection check (a user
message starting with "Probe:") is answered {"ok": true} without taking a scripted reply.
"""
from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web

PROBE_MARK = "Probe:"
MODEL = "fake-model"


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    content: str | None = None
    finish_reason: str = "stop"
    refusal: str | None = None
    status: int = 200                      # 429 / 500: an error response instead of a completion
    retry_after: float | None = None
    delay_s: float = 0.0                   # answer this late (past the client's timeout)
    prompt_tokens: int | None = None       # default: characters / 4 of the messages
    completion_tokens: int | None = None   # default: characters / 4 of the content
    body: str | None = None                # answer exactly this body (with status), as a broken server would


def decision(action: str = "HOLD", confidence: float = 0.8, **fields: Any) -> Reply:
    """Return a reply carrying a complete decision (every field present, as strict mode needs)."""
    body: dict[str, Any] = {"action": action, "confidence": confidence, "reasoning": f"scripted {action}",
                            "risk_notes": "none", "size_pct": None, "order_type": "market", "limit_price": None,
                            "stop_price": None, "take_profit": None}
    body.update(fields)
    return Reply(json.dumps(body))


def text(content: str, **kw: Any) -> Reply:
    """Return a reply with exactly this content (invalid JSON, prose around JSON ...)."""
    return Reply(content, **kw)


def truncated(content: str = '{"action": "BUY", "confiden') -> Reply:
    """Return a reply cut off by the token limit."""
    return Reply(content, finish_reason="length")


def refusal(reason: str = "I can't help with trading decisions.") -> Reply:
    """Return a refusal (content null, message.refusal set)."""
    return Reply(None, refusal=reason)


def late(after_s: float, reply: Reply | None = None) -> Reply:
    """Return reply (a HOLD decision by default) delivered after after_s seconds."""
    base = reply or decision()
    return Reply(base.content, base.finish_reason, base.refusal, base.status, base.retry_after, after_s)


def raw(status: int, body: str) -> Reply:
    """Return an answer with exactly this status and body (402 out of credits, a body that is not a completion)."""
    return Reply(status=status, body=body)


def rate_limited(retry_after: float = 0.05) -> Reply:
    """Return a 429 Too Many Requests with a Retry-After header."""
    return Reply(status=429, retry_after=retry_after)


def server_error(status: int = 500) -> Reply:
    """Return a 5xx error."""
    return Reply(status=status)


@dataclass
class Received:
    """One request as the server got it."""

    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def response_format(self) -> str:
        """Return the response_format type asked for ('' when none)."""
        return str((self.body.get("response_format") or {}).get("type", ""))

    @property
    def schema(self) -> dict[str, Any] | None:
        """Return the JSON schema sent with a json_schema request."""
        return ((self.body.get("response_format") or {}).get("json_schema") or {}).get("schema")

    @property
    def prompt(self) -> str:
        """Return every message's content joined, as the model would read it."""
        return "\n".join(str(m.get("content") or "") for m in self.body.get("messages", []))


@dataclass
class FakeOpenAI:
    """An OpenAI-compatible server on 127.0.0.1 (port 0 picks a free one)."""

    reject_json_schema: bool = False
    reject_json_object: bool = False
    default: Reply | Callable[[Received], Reply] = field(default_factory=decision)
    probe_reply: Reply = field(default_factory=lambda: Reply('{"ok": true}'))    # what a connection check gets
    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    probes: list[Received] = field(default_factory=list)
    _script: list[Reply] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def base_url(self) -> str:
        """Return the value for AsyncOpenAI(base_url=...)."""
        return f"http://{self.host}:{self.port}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next requests, in order (after them, the default answers)."""
        self._script.extend(replies)

    @property
    def calls(self) -> list[Received]:
        """Return the requests that were not connection checks."""
        return self.received

    async def start(self) -> None:
        """Listen."""
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Stop listening; late replies still waiting are dropped."""
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeOpenAI":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def wait_for_calls(self, count: int, timeout: float = 5.0) -> None:
        """Wait until count requests (not connection checks) have arrived."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.received) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {count} LLM calls within {timeout}s, got {len(self.received)}")
            await asyncio.sleep(0.01)

    # ---- the API -----------------------------------------------------------------------------------

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "fake"}]})

    async def _completions(self, request: web.Request) -> web.Response:
        body = await request.json()
        seen = Received(body, dict(request.headers))
        refused = self._refuse_format(seen.response_format)
        if refused is not None:
            return refused
        if seen.prompt.lstrip().startswith(PROBE_MARK) or _last_user(body).startswith(PROBE_MARK):
            self.probes.append(seen)
            return web.json_response(self._completion(body, self.probe_reply))
        self.received.append(seen)
        reply = self._script.pop(0) if self._script else self._default(seen)
        if reply.delay_s:
            try:
                await asyncio.wait_for(self._stopping.wait(), reply.delay_s)
            except asyncio.TimeoutError:
                pass
        if reply.body is not None:
            return web.Response(text=reply.body, status=reply.status, content_type="application/json")
        if reply.status != 200:
            return _error(reply)
        return web.json_response(self._completion(body, reply))

    def _default(self, seen: Received) -> Reply:
        return self.default(seen) if callable(self.default) else self.default

    def _refuse_format(self, kind: str) -> web.Response | None:
        if kind == "json_schema" and self.reject_json_schema:
            return _bad_request("response_format type json_schema is not supported by this server")
        if kind == "json_object" and self.reject_json_object:
            return _bad_request("'response_format.type' must be 'json_schema' or 'text'")
        return None

    def _completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        prompt_chars = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
        prompt_tokens = reply.prompt_tokens if reply.prompt_tokens is not None else max(1, prompt_chars // 4)
        completion_tokens = (reply.completion_tokens if reply.completion_tokens is not None
                             else max(1, len(reply.content or reply.refusal or "") // 4))
        message = {"role": "assistant", "content": reply.content, "refusal": reply.refusal}
        return {"id": f"chatcmpl-{next(self._ids)}", "object": "chat.completion", "created": 1_700_000_000,
                "model": body.get("model", MODEL),
                "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason,
                             "logprobs": None}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens}}


def _last_user(body: dict[str, Any]) -> str:
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    return str(users[-1].get("content") or "").lstrip() if users else ""


def _bad_request(message: str) -> web.Response:
    return web.json_response({"error": {"message": message, "type": "invalid_request_error",
                                        "param": "response_format", "code": None}}, status=400)


def _error(reply: Reply) -> web.Response:
    if reply.status == 429:
        headers = {"Retry-After": f"{reply.retry_after:g}"} if reply.retry_after is not None else {}
        return web.json_response({"error": {"message": "Rate limit reached, retry later", "type": "rate_limit",
                                            "param": None, "code": "rate_limit_exceeded"}},
                                 status=429, headers=headers)
    return web.json_response({"error": {"message": "The server had an error while processing your request",
                                        "type": "server_error", "param": None, "code": None}},
                             status=reply.status)


class ThreadedFakeOpenAI:
    """A FakeOpenAI on its own event loop in a thread, for code that runs asyncio.run itself (the CLI)."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self.fake: FakeOpenAI | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: Any = None

    def __enter__(self) -> FakeOpenAI:
        import threading

        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def serve() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self.fake = FakeOpenAI(**self._kwargs)
            self._loop.run_until_complete(self.fake.start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="fake-openai", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake OpenAI server did not start")
        assert self.fake is not None
        return self.fake

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self.fake is not None
        asyncio.run_coroutine_threadsafe(self.fake.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
