"""The process lifecycle: one asyncio loop running the core, the scheduler and the Telegram bot."""
from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, Updater

from bot.app import build_application, menu_commands
from bot.auth import AccessGuard, AllowList
from bot.localchat.server import BotApiServer
from bot.localchat.terminal import TerminalChat
from bot.notifier import TelegramNotifier
from bot.sole_poller import CONFLICT_PROBE_S, ensure_sole_poller, on_polling_error
from trading.adapters.data_dir_lock import DataDirLock
from trading.bootstrap import Core, build_core
from trading.domain.errors import ConfigurationError
from trading.logs import configure_logging, get_logger
from trading.scheduling import Schedule, build_scheduler
from trading.settings import Settings

log = get_logger(__name__)


async def run(settings: Settings, demo_chat: bool = True, stop: asyncio.Event | None = None,
              conflict_probe_s: float = CONFLICT_PROBE_S) -> None:
    """Run until SIGTERM/SIGINT (or, in the demo, the end of the terminal chat); then shut down cleanly."""
    lock = DataDirLock(settings.data_dir)
    lock.acquire()
    stop = stop or asyncio.Event()
    received = _on_signals(stop)
    server: BotApiServer | None = None
    try:
        token, base_url = settings.telegram_bot_token.get_secret_value(), settings.telegram_base_url
        chats, users = settings.allowed_chat_ids, settings.allowed_user_ids
        if settings.demo:
            token = f"{secrets.randbelow(10**9) + 10**9}:offline-demo-{secrets.token_hex(12)}"
            server = BotApiServer(token)
            await server.start()
            base_url, chats = server.base_url, chats | {settings.demo_chat_id}
            users = users | {settings.demo_chat_id} if users else users
        else:
            await ensure_sole_poller(token, base_url, conflict_probe_s)
        core = await build_core(settings)
        allow = AllowList(chats, users, core.store)
        await allow.load()
        await _serve(core, token, base_url, AccessGuard(allow, core.events, core.clock), server, demo_chat, stop,
                     received)
    finally:
        if server is not None:
            await server.stop()
        lock.release()


async def _serve(core: Core, token: str, base_url: str, guard: AccessGuard, server: BotApiServer | None,
                 demo_chat: bool, stop: asyncio.Event, received: list[str]) -> None:
    notifier = TelegramNotifier(guard.allow.recipients)
    core.events.attach(notifier)
    app = build_application(token, base_url, core.services(), guard)
    scheduler = build_scheduler(core)
    tasks = [asyncio.create_task(notifier.run(), name="notifier"),
             asyncio.create_task(_start_telegram(app, notifier, stop), name="telegram")]
    if server is not None and demo_chat:
        chat = TerminalChat(server, core.settings.demo_chat_id, core.settings.data_dir / "photos")
        tasks.append(asyncio.create_task(_chat_then_stop(chat, stop), name="terminal-chat"))
    try:
        await core.assistant.start()
        scheduler.start()
        await stop.wait()
        # a SIGTERM is a clean stop (systemd or Docker restarting us), not an alarm: the kill switch stays as it
        # was. One engaged by /kill, a KILL file or a risk rule is saved and still holds after the restart.
        log.info("stopping", signals=received)
    finally:
        await _shutdown(core, app, notifier, scheduler, tasks)


async def _start_telegram(app: Application, notifier: TelegramNotifier, stop: asyncio.Event) -> None:
    """Connect to Telegram in the background, retrying: an outage must never hold up trading."""
    delay = 1.0
    while not stop.is_set():
        try:
            await app.initialize()
            await app.bot.set_my_commands(menu_commands())
            await app.start()
            await _updater(app).start_polling(drop_pending_updates=False, timeout=30, error_callback=on_polling_error)
            notifier.bind(app.bot)
            log.info("telegram connected", bot=app.bot.username)
            return
        except InvalidToken:
            log.error("TELEGRAM_BOT_TOKEN was rejected by Telegram; the chat is off, trading continues")
            return
        except NetworkError as exc:
            log.warning("telegram unreachable, retrying", retry_in_s=delay, error=str(exc))
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 60.0)


def _updater(app: Application) -> Updater:
    # build_application keeps the builder's updater: polling is how this bot gets its updates
    if app.updater is None:
        raise ConfigurationError("the Telegram application was built without an updater; it cannot poll")
    return app.updater


async def _chat_then_stop(chat: TerminalChat, stop: asyncio.Event) -> None:
    await chat.run()
    stop.set()


async def _shutdown(core: Core, app: Application, notifier: TelegramNotifier, scheduler: Schedule,
                    tasks: list[asyncio.Task]) -> None:
    await scheduler.stop()      # no job is cut off half-way (say inside a database write)
    for step in (core.loop.settle(), core.assistant.stop("stop requested")):
        try:
            await step
        except Exception:
            log.exception("shutdown step failed; carrying on with the shutdown")
    await notifier.drain(5.0)
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    with contextlib.suppress(Exception):
        await app.shutdown()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await core.close()
    log.info("shut down cleanly")


def _on_signals(stop: asyncio.Event) -> list[str]:
    loop = asyncio.get_running_loop()
    received: list[str] = []

    def on_signal(name: str) -> None:
        received.append(name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal, sig.name)
    return received


def start(settings: Settings, demo_chat: bool = True) -> None:
    """Configure logging and run the process to completion."""
    secret_values = [settings.telegram_bot_token.get_secret_value(), settings.master_key.get_secret_value(),
                     settings.openai_api_key.get_secret_value()]
    # while the terminal chat is on screen, only warnings go to the console; the JSON log gets everything
    configure_logging(settings.data_dir, settings.log_level, secrets=secret_values,
                      console_level="WARNING" if demo_chat and settings.demo else settings.log_level)
    if settings.mode_warning:
        log.warning(settings.mode_warning)
    asyncio.run(run(settings, demo_chat))
