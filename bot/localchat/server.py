"""A Bot-API-compatible HTTP server on 127.0.0.1: the offline demo's Telegram, and the tests' fake.

It keeps chats in memory, hands user messages to the bot through getUpdates, and enforces the rules real
Telegram enforces (message and caption length, HTML entities, callback data size, token check), so a bot that
works here behaves the same against api.telegram.org.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from aiohttp import web

from bot.localchat.entities import check_caption, check_message_text, check_reply_markup

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Trading Assistant", "username": "trading_assistant_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
_STRING_FIELDS = {"text", "caption", "parse_mode", "callback_query_id", "url", "action", "emoji",
                  "inline_message_id", "drop_pending_updates_str"}


class ApiError(Exception):
    """A Bot API error other than 400 Bad Request, e.g. 409 Conflict."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code


@dataclass
class Sent:
    """A message the bot sent (or edited), as a chat client would show it."""

    chat_id: int
    message_id: int
    kind: str                    # "text", "photo", "document"
    text: str                    # visible text or caption
    raw: dict[str, Any]
    file_bytes: bytes | None = None
    edited: bool = False
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)


Outgoing = Callable[[Sent], Awaitable[None] | None]


class BotApiServer:
    """An in-memory Telegram for one bot token."""

    def __init__(self, token: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.token = token
        self.host, self.port = host, port
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.commands: list[dict[str, str]] = []
        self.answers: dict[str, str] = {}          # callback query id -> the toast it was answered with
        self._queries: set[str] = set()
        self.listeners: list[Outgoing] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._visible: dict[tuple[int, int], str] = {}   # what the user sees of each message, markup parsed
        self.deleted: list[tuple[int, int]] = []      # (chat id, message id) of every message the bot deleted
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """Return the value for PTB's base_url (the token is appended by PTB)."""
        return f"http://{self.host}:{self.port}/bot"

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one)."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Stop listening and wake any long poll."""
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "BotApiServer":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- the user's side -------------------------------------------------------------------------

    def user_says(self, chat_id: int, text: str, first_name: str = "Demo", user_id: int | None = None,
                  **extra: Any) -> dict[str, Any]:
        """Queue a message typed in chat_id (a private chat, or a group for a negative id) by user_id (the chat's
        own user by default), as Telegram would deliver it; extra fields (forward_origin...) join the message."""
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": _chat(chat_id, first_name),
                   "from": {"id": user_id or chat_id, "is_bot": False, "first_name": first_name}, "text": text, **extra}
        if text.startswith("/"):
            length = len(text.split()[0]) if text.split() else 1
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self._messages[(chat_id, message["message_id"])] = message     # the bot may delete it, as Telegram allows
        self._push({"message": message})
        return message

    def user_presses(self, chat_id: int, message_id: int, data: str, user_id: int | None = None) -> str:
        """Queue a press of an inline button carrying data on the bot's message; return the query's id."""
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        query_id = str(next(self._update_ids) * 1000)
        self._queries.add(query_id)
        self._push({"callback_query": {"id": query_id, "chat_instance": str(chat_id),
                                       "from": {"id": user_id or chat_id, "is_bot": False, "first_name": "Demo"},
                                       "message": message, "data": data}})
        return query_id

    def _push(self, update: dict[str, Any]) -> None:
        self._updates.append({"update_id": next(self._update_ids), **update})
        self._new_update.set()

    # ---- the Bot API -----------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return error_response(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await _read_params(request)
        self.calls.append((method, params))
        override = await self.before_method(method, params)
        if override is not None:
            return override
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            return error_response(404, "Not Found: method not found")
        try:
            result = await handler(params, files)
        except ApiError as exc:
            return error_response(exc.code, str(exc))
        except ValueError as exc:
            return error_response(400, str(exc))
        return web.json_response({"ok": True, "result": result})

    async def before_method(self, method: str, params: dict[str, Any]) -> web.Response | None:
        """Return a response to short-circuit a call (the tests' fault injection), or None."""
        return None

    async def _api_getme(self, params: dict, files: dict) -> Any:
        return BOT_USER

    async def _api_deletewebhook(self, params: dict, files: dict) -> Any:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getupdates(self, params: dict, files: dict) -> Any:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and float(params.get("timeout") or 0) > 0:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), float(params["timeout"]))
            except asyncio.TimeoutError:
                pass
        return self._updates[: int(params.get("limit") or 100)]

    async def _api_setmycommands(self, params: dict, files: dict) -> Any:
        self.commands = list(params.get("commands") or [])
        return True

    async def _api_getmycommands(self, params: dict, files: dict) -> Any:
        return self.commands

    async def _api_sendchataction(self, params: dict, files: dict) -> Any:
        return True

    async def _api_answercallbackquery(self, params: dict, files: dict) -> Any:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._queries or query_id in self.answers:
            raise ValueError("Bad Request: query is too old and response timeout expired or query ID is invalid")
        self.answers[query_id] = str(params.get("text") or "")
        return True

    async def _api_sendmessage(self, params: dict, files: dict) -> Any:
        visible = check_message_text(params.get("text"), params.get("parse_mode"))
        check_reply_markup(params.get("reply_markup"))
        return await self._deliver(params, "text", visible, None, {"text": params["text"]})

    async def _api_sendphoto(self, params: dict, files: dict) -> Any:
        caption = check_caption(params.get("caption"), params.get("parse_mode"))
        data = files.get("photo")
        if not data:
            raise ValueError("Bad Request: there is no photo in the request")
        photo = [{"file_id": f"photo{len(self.sent)}", "file_unique_id": f"p{len(self.sent)}",
                  "width": 1080, "height": 720, "file_size": len(data)}]
        return await self._deliver(params, "photo", caption, data, {"photo": photo, "caption": caption})

    async def _api_senddocument(self, params: dict, files: dict) -> Any:
        caption = check_caption(params.get("caption"), params.get("parse_mode"))
        data = files.get("document")
        if not data:
            raise ValueError("Bad Request: there is no document in the request")
        document = {"file_id": f"doc{len(self.sent)}", "file_unique_id": f"d{len(self.sent)}", "file_size": len(data)}
        return await self._deliver(params, "document", caption, data, {"document": document, "caption": caption})

    async def _api_editmessagetext(self, params: dict, files: dict) -> Any:
        message = self._find(params)
        visible = check_message_text(params.get("text"), params.get("parse_mode"))
        check_reply_markup(params.get("reply_markup"))
        if message.get("text") == params["text"] and message.get("reply_markup") == params.get("reply_markup"):
            raise ValueError("Bad Request: message is not modified: specified new message content and reply "
                             "markup are exactly the same as a current content and reply markup of the message")
        message["text"] = params["text"]
        self._visible[(message["chat"]["id"], message["message_id"])] = visible
        return await self._edited(message, params, visible)

    async def _api_editmessagereplymarkup(self, params: dict, files: dict) -> Any:
        message = self._find(params)
        check_reply_markup(params.get("reply_markup"))
        key = (message["chat"]["id"], message["message_id"])
        return await self._edited(message, params, self._visible.get(key, message.get("text", "")))

    async def _api_deletemessage(self, params: dict, files: dict) -> Any:
        self._find(params)
        key = (int(params["chat_id"]), int(params["message_id"]))
        del self._messages[key]
        self.deleted.append(key)
        return True

    def _find(self, params: dict) -> dict[str, Any]:
        key = (int(params.get("chat_id") or 0), int(params.get("message_id") or 0))
        if key not in self._messages:
            raise ValueError("Bad Request: message to edit not found")
        return self._messages[key]

    async def _deliver(self, params: dict, kind: str, visible: str, data: bytes | None,
                       body: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "from": BOT_USER,
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"}, **body}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self._messages[(chat_id, message["message_id"])] = message
        self._visible[(chat_id, message["message_id"])] = visible
        await self._announce(Sent(chat_id, message["message_id"], kind, visible, params, data,
                                  buttons=(params.get("reply_markup") or {}).get("inline_keyboard", [])))
        return message

    async def _edited(self, message: dict[str, Any], params: dict, visible: str) -> dict[str, Any]:
        # as Telegram does: an edit without reply_markup takes the inline keyboard away
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        await self._announce(Sent(message["chat"]["id"], message["message_id"], "text", visible, params,
                                  edited=True,
                                  buttons=(message.get("reply_markup") or {}).get("inline_keyboard", [])))
        return message

    async def _announce(self, sent: Sent) -> None:
        self.sent.append(sent)
        for listener in self.listeners:
            result = listener(sent)
            if asyncio.iscoroutine(result):
                await result


def _chat(chat_id: int, first_name: str) -> dict[str, Any]:
    if chat_id < 0:
        return {"id": chat_id, "type": "group", "title": "Trading group"}
    return {"id": chat_id, "type": "private", "first_name": first_name}


def _chat_id(params: dict) -> int:
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("Bad Request: chat not found") from None


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        params.update(await request.json())
        return params, files
    form = await request.post()
    for name, value in form.items():
        if hasattr(value, "file"):
            files[name] = value.file.read()
        elif name in _STRING_FIELDS:
            params[name] = value
        else:
            try:
                params[name] = json.loads(value)
            except (TypeError, ValueError):
                params[name] = value
    return params, files


def error_response(code: int, description: str, **parameters: Any) -> web.Response:
    """Return a Bot API error response, e.g. 429 with parameters.retry_after."""
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)
