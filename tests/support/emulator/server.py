"""The emulator over real HTTP: a threaded server on 127.0.0.1, Web API dispatch, response_url and uploads."""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, cast

from tests.support.emulator.state import Call, EmulatorState, _err, _invalid_arguments, _ok

JSON_ENCODED_KEYS = ("blocks", "view", "attachments", "metadata")


class _Reply:
    def __init__(
        self,
        status: int,
        body: dict[str, Any] | str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    emulator: HttpFront


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        emulator = cast(_Server, self.server).emulator
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        try:
            reply = emulator._dispatch_http(self.path, dict(self.headers.items()), body)
        except Exception as exc:  # a bug in the emulator: answer 500 rather than hang the client
            reply = _Reply(500, f"emulator error: {exc!r}")
        if isinstance(reply.body, str):
            data = reply.body.encode("utf-8")
            content_type = "text/plain; charset=utf-8"
        else:
            data = json.dumps(reply.body).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


class HttpFront(EmulatorState):
    """Serves the emulator over HTTP and routes each Web API call to a method of the class it is mixed into."""

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.emulator = self
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="slack-emulator", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- HTTP dispatch ---------------------------------------------------------------------------------

    def _dispatch_http(self, raw_path: str, headers: dict[str, str], body: bytes) -> _Reply:
        parsed = urllib.parse.urlsplit(raw_path)
        path = parsed.path
        lower_headers = {k.lower(): v for k, v in headers.items()}
        if path.startswith("/api/"):
            return self._handle_api(path[len("/api/") :], parsed.query, lower_headers, body)
        if path.startswith("/hooks/commands/"):
            key = urllib.parse.unquote(path.rsplit("/", 1)[-1])
            return self._handle_response_url(key, body)
        if path.startswith("/upload/v1/"):
            return self._handle_upload(path.rsplit("/", 1)[-1], body)
        return _Reply(404, "not found")

    @staticmethod
    def _decode_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
        from_query = urllib.parse.parse_qs(query, keep_blank_values=True)
        params: dict[str, Any] = {k: v[-1] for k, v in from_query.items()}
        if body:
            if content_type.startswith("application/json"):
                decoded = json.loads(body.decode("utf-8"))
                if isinstance(decoded, dict):
                    params.update(decoded)
            elif content_type.startswith("multipart/form-data"):
                message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                    b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
                )
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    if not isinstance(name, str):
                        continue
                    payload = part.get_payload(decode=True)
                    if not isinstance(payload, bytes):
                        continue
                    if part.get_filename():
                        params[name] = payload
                    else:
                        params[name] = payload.decode("utf-8")
            else:
                form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
                params.update({k: v[-1] for k, v in form.items()})
        for key in JSON_ENCODED_KEYS:
            value = params.get(key)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                # left as a string if invalid; the method answers invalid_blocks_format / invalid_arguments
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
        return params

    def _handle_api(self, method: str, query: str, headers: dict[str, str], body: bytes) -> _Reply:
        arrived = time.monotonic()
        try:
            params = self._decode_params(query, headers.get("content-type", ""), body)
        except (ValueError, UnicodeDecodeError):
            params = {}
            malformed = True
        else:
            malformed = False
        token: str | None = None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        body_token = params.pop("token", None)
        if token is None and isinstance(body_token, str):
            token = body_token
        delay = self._delay_for(method, params)
        if delay:
            time.sleep(delay)  # outside the lock: other calls are answered meanwhile
        call = Call(method=method, params=params, token=token, at=arrived)
        with self._lock:
            self.calls.append(call)
            if method == "oauth.v2.access" and not self._injections.get(method):  # client id and secret, no token
                reply = _Reply(200, self._oauth_v2_access(params, headers.get("authorization", "")))
            else:
                reply = self._answer(method, params, token, malformed)
            call.status = reply.status
            call.response = reply.body if isinstance(reply.body, dict) else None
        self._notify(call)
        return reply

    def _answer(self, method: str, params: dict[str, Any], token: str | None, malformed: bool) -> _Reply:
        injections = self._injections.get(method)
        if injections:
            injection = injections[0]
            injection.times -= 1
            if injection.times <= 0:
                injections.pop(0)
            if injection.status == 429:
                retry_after = injection.retry_after if injection.retry_after is not None else 1
                return _Reply(429, _err(injection.error or "ratelimited"), {"Retry-After": str(retry_after)})
            if injection.status != 200:
                body: dict[str, Any] | str = _err(injection.error) if injection.error else "internal error"
                return _Reply(injection.status, body)
            return _Reply(200, _err(injection.error or "internal_error"))
        if token is None:
            return _Reply(200, _err("not_authed"))
        if method == "apps.connections.open":  # the one method that takes the app-level token
            return _Reply(200, _ok(url=self.socket_url) if token == self.app_token else _err("invalid_auth"))
        if token in self._revoked:
            return _Reply(200, _err(self._revoked[token]))
        if token in self._expires_at and time.time() >= self._expires_at[token]:
            return _Reply(200, _err("token_expired"))
        workspace = self._workspaces.get(token)
        if workspace is None:
            return _Reply(200, _err("invalid_auth"))
        self._calling = workspace
        if malformed:
            return _Reply(200, _invalid_arguments("request body could not be decoded"))
        wait = self._rate_limited(method, params, token)
        if wait is not None:
            return _Reply(429, _err("ratelimited"), {"Retry-After": str(wait)})
        if method == "files.upload":  # retired by Slack; files_upload_v2 is the way
            return _Reply(200, _err("method_deprecated"))
        handler = self._methods().get(method)
        if handler is None:
            return _Reply(200, _err("unknown_method"))
        return _Reply(200, handler(params))

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        raise NotImplementedError

    # -- response_url & uploads --------------------------------------------------------------------------

    def _handle_response_url(self, key: str, body: bytes) -> _Reply:
        arrived = time.monotonic()
        reply = self._accept_response(key, body)
        self._notify(Call(method="response_url", params={"_key": key}, token=None, status=reply.status, at=arrived))
        return reply

    def _accept_response(self, key: str, body: bytes) -> _Reply:
        try:
            payload = json.loads(body.decode("utf-8")) if body else {}
        except (ValueError, UnicodeDecodeError):
            payload = None
        with self._lock:
            if not isinstance(payload, dict):
                self.block_errors.append(f"response_url[{key}]: body is not a JSON object")
                return _Reply(400, _err("invalid_payload"))
            for json_key in JSON_ENCODED_KEYS:
                value = payload.get(json_key)
                if isinstance(value, str) and value[:1] in ("[", "{"):
                    with contextlib.suppress(ValueError):
                        payload[json_key] = json.loads(value)
            if not payload.get("delete_original"):
                rejected = self._check_message(f"response_url[{key}]", payload)
                if rejected is not None:
                    return _Reply(400, rejected)
            self.responses.append({**payload, "_key": key})
        return _Reply(200, _ok())

    def _handle_upload(self, file_id: str, body: bytes) -> _Reply:
        with self._lock:
            pending = self._pending_files.get(file_id)
            if pending is None:
                return _Reply(404, "not found")
            pending["content"] = body
        return _Reply(200, f"OK - {len(body)}")
