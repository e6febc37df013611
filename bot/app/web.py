"""The HTTP front door: uvicorn + Starlette, one route Slack posts every request to."""

from __future__ import annotations

import threading

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

SLACK_PATH = "/slack/events"
# Slack's largest payloads (a full modal's state) are far below this.
MAX_BODY_BYTES = 1_000_000


async def _read_limited(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


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


def create_asgi_app(bolt_app: App, signing_secret: str) -> Starlette:
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: Request) -> Response:
        body = await _read_limited(request)
        if body is None:
            return PlainTextResponse("Request body too large", status_code=413)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return PlainTextResponse("Request body is not UTF-8", status_code=400)
        if not _signed_by_slack(verifier, request, body):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        try:
            bolt_request = to_bolt_request(request, body)  # parses JSON bodies and payload= forms
        except ValueError:
            return PlainTextResponse("Request body is malformed", status_code=400)
        # Bolt's App is synchronous: dispatch off the event loop so one slow request never blocks others.
        bolt_response = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(SLACK_PATH, slack_events, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )


def make_server(bolt_app: App, *, signing_secret: str, host: str, port: int, log_level: str = "info") -> uvicorn.Server:
    config = uvicorn.Config(
        create_asgi_app(bolt_app, signing_secret),
        host=host,
        port=port,
        log_level=log_level.lower(),
        access_log=False,  # paths only would be harmless, but keep logs about what the bot did
        server_header=False,
    )
    return uvicorn.Server(config)


class BackgroundServer:
    """Runs the real server in a thread (used by tests and benchmarks)."""

    def __init__(self, bolt_app: App, *, signing_secret: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = make_server(bolt_app, signing_secret=signing_secret, host=host, port=port, log_level="warning")
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
