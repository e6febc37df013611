"""The HTTP front door: uvicorn + Starlette, one route Slack posts every request to."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import h11
import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.app import envelope
from bot.app.logging_setup import log_context

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
# Slack's largest payloads (a full modal's state) are far below this.
MAX_BODY_BYTES = 1_000_000
# Slack gives up on a request after 3 s and sends each one in a few milliseconds: a client that takes longer
# than this to send its headers, or its body, is not Slack, and holding its connection only helps it exhaust ours.
HEADER_TIMEOUT = 5.0
BODY_TIMEOUT = 5.0
KEEP_ALIVE_TIMEOUT = 5
# Requests in flight at once (beyond it uvicorn answers 503 at once); a school's Slack sends a handful.
MAX_CONCURRENT = 100
SIGNATURE_WARNING_EVERY = 60.0  # seconds
SWITCH_INTERVAL = 0.001  # seconds; see make_server
SIGNATURE_WINDOW = 5 * 60  # Slack's: a timestamp further than this from our clock is refused


class SignatureFailures:
    """Counts requests refused for their signature and warns at most once a `every` seconds.

    A wrong SLACK_SIGNING_SECRET, or a server clock more than five minutes out, refuses every request Slack
    sends: without this the bot would answer 401s in silence. The warning gives counts, never a body.
    """

    def __init__(self, *, every: float = SIGNATURE_WARNING_EVERY, monotonic: Callable[[], float] = time.monotonic):
        self.every = every
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._refused = 0
        self._stale = 0
        self._last_warning: float | None = None

    def refused(self, *, stale: bool) -> None:
        with self._lock:
            self._refused += 1
            self._stale += stale
            now = self.monotonic()
            if self._last_warning is not None and now - self._last_warning < self.every:
                return
            refused, stale_count = self._refused, self._stale
            self._refused = self._stale = 0
            self._last_warning = now
        log.warning(
            "Slack requests are failing signature checks: %d refused since the last warning "
            "(%d with a timestamp more than five minutes from this server's clock). "
            "Is SLACK_SIGNING_SECRET the app's Signing Secret? Is the clock right?",
            refused,
            stale_count,
        )


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for a request's headers.

    uvicorn times out idle keep-alive connections only: a client that opens a connection and sends its
    headers a byte at a time would hold it (and a file descriptor) for ever. The deadline starts when the
    connection opens and again after each response; if the request's headers are not all in by then, the
    connection is closed. (The body has its own deadline, in the app: see `_read_limited`.)
    """

    header_timeout: float = HEADER_TIMEOUT
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        if not self.transport.is_closing():
            self._header_deadline = self.loop.call_later(self.header_timeout, self._header_deadline_passed)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _header_deadline_passed(self) -> None:
        self._header_deadline = None
        # IDLE: no request line and headers complete yet (once they are, h11 moves on to the body).
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


class _TooLarge(Exception):
    pass


async def _read_limited(request: Request, *, deadline: float = BODY_TIMEOUT) -> bytes:
    """The whole body, or _TooLarge past MAX_BODY_BYTES, or TimeoutError when it trickles in past the deadline."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise _TooLarge

    async def read() -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    return await asyncio.wait_for(read(), timeout=deadline)


def _signed_by_slack(verifier: SignatureVerifier, request: Request, body: bytes) -> bool:
    """Slack's signature, checked before anything parses the body.

    Exactly one timestamp (digits only) and one signature: Bolt would raise on a non-numeric timestamp (a 500)
    and reads the last of duplicated headers, where Starlette reads the first.
    """
    timestamps = request.headers.getlist("x-slack-request-timestamp")
    signatures = request.headers.getlist("x-slack-signature")
    if len(timestamps) != 1 or len(signatures) != 1:
        return False
    timestamp = timestamps[0]
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    return verifier.is_valid(body, timestamp, signatures[0])


# What /healthz asks: None when the bot can serve, else a short reason (never a traceback).
HealthCheck = Callable[[], str | None]
REQUEST_ID_HEADER = "X-Request-Id"


def _team_of(body: Any) -> str | None:
    """The request's workspace id, as each payload carries it (for the log lines, never the payload)."""
    if not isinstance(body, dict):
        return None
    team = body.get("team")
    found = body.get("team_id") or (team.get("id") if isinstance(team, dict) else None)
    return str(found)[:32] if isinstance(found, str) else None


def create_asgi_app(
    bolt_app: App,
    signing_secret: str,
    *,
    body_timeout: float = BODY_TIMEOUT,
    signature_failures: SignatureFailures | None = None,
    health_check: HealthCheck | None = None,
    routes: Sequence[Route] = (),
    on_stop: Sequence[Callable[[], None]] = (),
) -> Starlette:
    """The app; `routes`: more pages (OAuth mode's install pages, bot/app/oauth.py `install_routes`); `on_stop`:
    what to stop once the server has stopped taking requests (the Home helper processes)."""
    verifier = SignatureVerifier(signing_secret)
    failures = signature_failures or SignatureFailures()

    async def slack_events(request: Request) -> Response:
        request_id = uuid.uuid4().hex[:16]
        with log_context(request_id=request_id):
            response = await _slack_event(request, request_id)
        response.headers[REQUEST_ID_HEADER] = request_id
        return response

    async def _slack_event(request: Request, request_id: str) -> Response:
        try:
            body = await _read_limited(request, deadline=body_timeout)
        except _TooLarge:
            return PlainTextResponse("Request body too large", status_code=413)
        except TimeoutError:
            return PlainTextResponse("Request body too slow", status_code=408, headers={"Connection": "close"})
        except ClientDisconnect:
            return PlainTextResponse("Client went away", status_code=400)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return PlainTextResponse("Request body is not UTF-8", status_code=400)
        if not _signed_by_slack(verifier, request, body):
            failures.refused(stale=_stale(request))
            return JSONResponse({"error": "invalid request"}, status_code=401)
        try:
            bolt_request = to_bolt_request(request, body)  # parses JSON bodies and payload= forms
            envelope.check(bolt_request.body)
        except (ValueError, TypeError, AttributeError, RecursionError, envelope.Malformed) as exc:
            reason = str(exc) if isinstance(exc, envelope.Malformed) else "its body could not be parsed"
            log.warning("Refused a signed request that is not shaped as Slack sends it: %s", reason)
            return PlainTextResponse("Request body is malformed", status_code=400)
        # Bolt's App is synchronous: dispatch off the event loop so one slow request never blocks others.
        # The log context (request id, team id) goes with it: run_in_threadpool copies it into the thread.
        with log_context(request_id=request_id, team_id=_team_of(bolt_request.body)):
            bolt_response = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

    async def health(request: Request) -> Response:
        """200 {"status": "ok"} when the database answers and its schema is at the latest migration; else 503."""
        if health_check is None:
            return JSONResponse({"status": "ok"})
        try:
            problem = await run_in_threadpool(health_check)
        except Exception as exc:  # the check itself broke: say so briefly, never with a traceback
            log.warning("The health check failed: %s", type(exc).__name__)
            problem = f"health check failed ({type(exc).__name__})"
        if problem is not None:
            return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        # Run by uvicorn's graceful shutdown: after it, uvicorn re-raises SIGTERM and nothing else would run.
        for stop in on_stop:
            await run_in_threadpool(stop)

    return Starlette(
        routes=[
            Route(SLACK_PATH, slack_events, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
            *routes,
        ],
        lifespan=lifespan,
    )


def _stale(request: Request) -> bool:
    timestamp = request.headers.get("x-slack-request-timestamp", "")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    return abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW


def make_server(
    bolt_app: App,
    *,
    signing_secret: str,
    host: str,
    port: int,
    log_level: str = "info",
    header_timeout: float = HEADER_TIMEOUT,
    body_timeout: float = BODY_TIMEOUT,
    keep_alive_timeout: int = KEEP_ALIVE_TIMEOUT,
    max_concurrent: int = MAX_CONCURRENT,
    signature_failures: SignatureFailures | None = None,
    health_check: HealthCheck | None = None,
    routes: Sequence[Route] = (),
    on_stop: Sequence[Callable[[], None]] = (),
) -> uvicorn.Server:
    """The server, with every client held to a deadline; still run it behind a proxy (see the README)."""
    # One interpreter lock for the event loop, the request threads and the listeners' work: a thread ready to
    # acknowledge waits for the lock up to the switch interval at each hand-over (5 ms by default, several per
    # request). 1 ms keeps acks quick while other threads build Homes and modals.
    sys.setswitchinterval(SWITCH_INTERVAL)
    protocol = type("TimedH11", (TimedH11Protocol,), {"header_timeout": header_timeout})
    app = create_asgi_app(
        bolt_app,
        signing_secret,
        body_timeout=body_timeout,
        signature_failures=signature_failures,
        health_check=health_check,
        routes=routes,
        on_stop=on_stop,
    )
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        timeout_keep_alive=keep_alive_timeout,
        limit_concurrency=max_concurrent,
        # uvicorn's loggers propagate to ours, so its lines are redacted and rate-limited like the rest.
        log_config=None,
        log_level=log_level.lower(),
        access_log=False,  # paths only would be harmless, but keep logs about what the bot did
        server_header=False,
    )
    return uvicorn.Server(config)


def freeze_startup_objects() -> None:
    """Call once the app is built, before serving: what start-up built lives as long as the process.

    Python's full garbage collections walk every live object while holding the interpreter lock, so in a web
    process holding the app, its services and their caches each one stalled every request in flight (bench/ack.py
    saw acks' p99 halve without them). Frozen objects are never walked again."""
    gc.collect()
    gc.freeze()


class BackgroundServer:
    """Runs the real server in a thread (used by tests and benchmarks)."""

    def __init__(
        self, bolt_app: App, *, signing_secret: str, host: str = "127.0.0.1", port: int = 0, **options: Any
    ) -> None:
        self.server = make_server(
            bolt_app, signing_secret=signing_secret, host=host, port=port, log_level="warning", **options
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self.thread.start()
        waited = 0.0
        while not self.server.started:
            if waited > timeout or not self.thread.is_alive():
                raise RuntimeError("The HTTP server did not start")
            threading.Event().wait(0.02)
            waited += 0.02
        return self

    @property
    def url(self) -> str:
        sockets = self.server.servers[0].sockets
        host, port = sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
