"""A flood of forged, replayed, oversized and malformed requests: every one is refused, nothing is stored,
no Slack Web API call is made, and the server still answers a genuine request afterwards.

Requests go over raw sockets so that the test, not an HTTP client library, decides every byte: duplicate
headers, missing headers, chunked bodies without a Content-Length, and a Content-Length that lies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import socket
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app.web import MAX_BODY_BYTES, SLACK_PATH
from handlers.observations import ids as observation_ids
from storage.db import Database
from storage.roster import Mentorship
from storage.schema import Base
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, SIGNING_SECRET

SEED = 20261124
FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
WORKERS = 8
MAX_HEADER_VALUE = 8 * 1024
# Signed timestamps "in the future" stay out of the five-minute window however long the test runs.
FUTURE_MARGIN = 60


@pytest.fixture(autouse=True)
def people(emulator: SlackEmulator) -> None:
    """Real people, so that a request wrongly let in would have someone to act for and something to store."""
    emulator.add_user(ADMIN, "head", is_admin=True)
    emulator.add_user(AMY, "amy")
    emulator.add_user(BEN, "ben")


# --- signing ---------------------------------------------------------------------------------------------


def sign(timestamp: str, body: bytes, secret: str = SIGNING_SECRET) -> str:
    """Slack's v0 signature, over the raw bytes (so it can sign bodies that are not UTF-8 too)."""
    base = b"v0:" + timestamp.encode("latin-1") + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def mutate_hex(rng: random.Random, signature: str) -> str:
    """The same signature with exactly one hex digit changed."""
    prefix, digest = signature[:3], signature[3:]
    at = rng.randrange(len(digest))
    replacement = rng.choice([c for c in "0123456789abcdef" if c != digest[at]])
    return prefix + digest[:at] + replacement + digest[at + 1 :]


# --- bodies as Slack sends them ----------------------------------------------------------------------------

Body = tuple[bytes, str]  # raw bytes, Content-Type

COMMAND_TEXTS = [
    f"assign <@{AMY}|amy> <@{BEN}|ben>",
    f"assign <@{AMY}|amy> <@{BEN}|ben> trainee",
    f"role add <@{AMY}|amy> admin",
    f"role add <@{BEN}|ben> lead",
    f"unassign <@{AMY}|amy> <@{BEN}|ben>",
    "slt-channel <#C0SLT001|slt>",
    "list",
    "help",
]


def command_body(rng: random.Random, emulator: SlackEmulator, n: int) -> Body:
    fields = {
        "token": "legacy-verification-token",
        "team_id": "T0001",
        "team_domain": "test-school",
        "channel_id": "C0GENERAL",
        "channel_name": "general",
        "user_id": ADMIN,
        "user_name": "head",
        "command": rng.choice(["/mentor", "/observe"]),
        "text": rng.choice(COMMAND_TEXTS),
        "api_app_id": "A0001",
        "is_enterprise_install": "false",
        "response_url": emulator.response_url(f"forged-{n}"),
        "trigger_id": f"{n}.{rng.randrange(10**12)}.{rng.getrandbits(64):016x}",
    }
    return urllib.parse.urlencode(fields).encode(), FORM


def _user() -> dict[str, Any]:
    return {"id": ADMIN, "username": "head", "name": "head", "team_id": "T0001"}


def block_actions_body(rng: random.Random, emulator: SlackEmulator, n: int) -> Body:
    payload = {
        "type": "block_actions",
        "user": _user(),
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "trigger_id": f"{n}.{rng.randrange(10**12)}.{rng.getrandbits(64):016x}",
        "team": {"id": "T0001", "domain": "test-school"},
        "enterprise": None,
        "is_enterprise_install": False,
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "D0001"},
        "channel": {"id": "D0001", "name": "directmessage"},
        "message": {"ts": "1700000000.000100", "type": "message", "text": ""},
        "response_url": emulator.response_url(f"forged-{n}"),
        "actions": [
            {
                "type": "button",
                "action_id": rng.choice(
                    [
                        observation_ids.VIEW_ACTION,
                        observation_ids.REFLECT_ACTION,
                        observation_ids.EDIT_ACTION,
                        observation_ids.FORM_CHOICE_ACTION,
                    ]
                ),
                "block_id": "actions",
                "text": {"type": "plain_text", "text": "Button"},
                "value": str(rng.randrange(1, 1000)),
                "action_ts": "1700000000.000200",
            }
        ],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), FORM


def view_submission_body(rng: random.Random, emulator: SlackEmulator, n: int) -> Body:
    view_id = f"V{rng.getrandbits(40):010X}"
    payload = {
        "type": "view_submission",
        "team": {"id": "T0001", "domain": "test-school"},
        "user": _user(),
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "trigger_id": f"{n}.{rng.randrange(10**12)}.{rng.getrandbits(64):016x}",
        "view": {
            "id": view_id,
            "team_id": "T0001",
            "type": "modal",
            "blocks": [],
            "private_metadata": json.dumps({"teacher": BEN, "n": n}),
            "callback_id": rng.choice(
                [observation_ids.OBSERVE_CALLBACK, observation_ids.EDIT_CALLBACK, observation_ids.REFLECT_CALLBACK]
            ),
            "state": {"values": {"focus": {"focus": {"type": "plain_text_input", "value": "Questioning"}}}},
            "hash": "1700000000.abcdef",
            "root_view_id": view_id,
            "app_id": "A0001",
            "bot_id": "B0001",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), FORM


def event_body(rng: random.Random, emulator: SlackEmulator, n: int) -> Body:
    user = rng.choice([ADMIN, AMY, BEN])
    event = rng.choice(
        [
            {"type": "app_home_opened", "user": user, "channel": "D0001", "tab": "home"},
            {"type": "message", "channel_type": "im", "user": user, "channel": "D0001", "text": "hello"},
        ]
    )
    envelope = {
        "token": "legacy-verification-token",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "event": {"event_ts": "1700000000.000300", **event},
        "type": "event_callback",
        "event_id": f"Ev{n:08d}",
        "event_time": 1700000000,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": "T0001",
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return json.dumps(envelope).encode(), JSON_TYPE


BODY_KINDS: list[Callable[[random.Random, SlackEmulator, int], Body]] = [
    command_body,
    block_actions_body,
    view_submission_body,
    event_body,
]


# --- hostile requests ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    family: str
    expected: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...]  # sent in this order, duplicates kept
    framing: str = "length"  # "length": true Content-Length; "chunked": none; "overstated": claims > the limit
    variant: str = ""


class Forger:
    """Builds each family of hostile request from one seeded random generator."""

    def __init__(self, rng: random.Random, emulator: SlackEmulator) -> None:
        self.rng = rng
        self.emulator = emulator
        self.n = 0

    def body(self) -> Body:
        self.n += 1
        return self.rng.choice(BODY_KINDS)(self.rng, self.emulator, self.n)

    @staticmethod
    def now() -> str:
        return str(int(time.time()))

    def _signed(self, family: str, headers: list[tuple[str, str]], body: Body, expected: int = 401) -> Hostile:
        return Hostile(family, expected, body[0], body[1], tuple(headers))

    # Valid bodies, signatures that are not ours.
    def wrong_secret(self) -> Hostile:
        body, ts = self.body(), self.now()
        secret = self.rng.choice(
            [
                "not-our-secret",
                SIGNING_SECRET[:-1],
                SIGNING_SECRET + "0",
                SIGNING_SECRET.upper(),
                f"{self.rng.getrandbits(128):032x}",
            ]
        )
        signature = sign(ts, body[0], secret)
        return self._signed("wrong secret", [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", signature)], body)

    def mutated_hex(self) -> Hostile:
        body, ts = self.body(), self.now()
        signature = mutate_hex(self.rng, sign(ts, body[0]))
        return self._signed(
            "one hex digit changed", [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", signature)], body
        )

    def bad_prefix(self) -> Hostile:
        body, ts = self.body(), self.now()
        digest = sign(ts, body[0])[3:]
        signature = self.rng.choice(
            [
                digest,
                "v1=" + digest,
                "V0=" + digest,
                "v0:" + digest,
                "v0=" + digest.upper(),
                "v0=v0=" + digest,
                "=" + digest,
            ]
        )
        return self._signed(
            "missing or wrong prefix", [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", signature)], body
        )

    def no_signature(self) -> Hostile:
        body, ts = self.body(), self.now()
        headers = [("X-Slack-Request-Timestamp", ts)]
        if self.rng.random() < 0.5:
            headers.append(("X-Slack-Signature", self.rng.choice(["", "v0=", "v0"])))
        return self._signed("empty or absent signature", headers, body)

    def no_timestamp(self) -> Hostile:
        body, ts = self.body(), self.now()
        headers = [("X-Slack-Signature", sign(ts, body[0]))]  # right secret, right moment, but the header is gone
        return self._signed("absent timestamp", headers, body)

    def non_numeric_timestamp(self) -> Hostile:
        body, now = self.body(), self.now()
        ts = self.rng.choice(
            [
                "",
                "abc",
                "NaN",
                "inf",
                "-",
                "1e9",
                f"{now}.5",
                f"{now}abc",
                f"0x{int(now):x}",
                f"{now[:5]} {now[5:]}",
                "٣",
            ]
        )
        ts = ts if ts.isascii() else now + "x"  # header values are latin-1 on the wire
        headers = [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sign(ts, body[0]))]
        return self._signed("non-numeric timestamp", headers, body)

    # Replays and tampering with correctly signed requests.
    def stale(self) -> Hostile:
        body = self.body()
        ts = str(int(time.time()) - self.rng.randint(301, 6 * 3600))
        headers = [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sign(ts, body[0]))]
        return self._signed("replayed, stale", headers, body)

    def future(self) -> Hostile:
        body = self.body()
        ts = str(int(time.time()) + self.rng.randint(301 + FUTURE_MARGIN, 6 * 3600))
        headers = [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sign(ts, body[0]))]
        return self._signed("from the future", headers, body)

    def swapped_body(self) -> Hostile:
        signed_body, sent_body, ts = self.body(), self.body(), self.now()
        headers = [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sign(ts, signed_body[0]))]
        return self._signed("body swapped after signing", headers, sent_body)

    def truncated(self) -> Hostile:
        body, ts = self.body(), self.now()
        signature = sign(ts, body[0])
        cut = self.rng.randint(1, min(200, len(body[0])))
        headers = [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", signature)]
        return self._signed("body truncated", headers, (body[0][:-cut], body[1]))

    def extended(self) -> Hostile:
        body, ts = self.body(), self.now()
        signature = sign(ts, body[0])
        extra = self.rng.choice(
            [b" ", b"\n", b"&", b"&text=help", b"&user_id=UADMIN01", b"}", b"x" * self.rng.randint(1, 500)]
        )
        headers = [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", signature)]
        return self._signed("body extended", headers, (body[0] + extra, body[1]))

    # Size and encoding.
    def oversized(self) -> Hostile:
        body, ts = self.body(), self.now()
        padding = b"&pad=" + b"x" * (MAX_BODY_BYTES + self.rng.randint(1, 100_000))
        big = body[0] + padding if body[1] == FORM else body[0][:-1] + b', "pad": "' + padding + b'"}'
        headers = [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sign(ts, big))]
        framing = ["length", "chunked", "overstated"][self.n % 3]
        sent = big[: self.rng.randint(1, 4096)] if framing == "overstated" else big
        return Hostile("oversized", 413, sent, body[1], tuple(headers), framing, variant=framing)

    def non_utf8(self) -> Hostile:
        body, ts = self.body(), self.now()
        bad = self.rng.choice(
            [
                b"\xff",
                b"\xfe\xff",
                b"\xc0\xaf",
                b"\xed\xa0\x80",
                b"\xe2\x82",
                b"\x80",
                b"caf\xe9",
                b"\xf8\x88\x80\x80\x80",
            ]
        )
        at = self.rng.randrange(len(body[0]) + 1)
        raw = body[0][:at] + bad + body[0][at:]
        signature = self.rng.choice([sign(ts, raw), sign(ts, body[0]), "v0=" + "0" * 64])
        headers = [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", signature)]
        return Hostile("non-UTF-8 body", 400, raw, body[1], tuple(headers))

    # Header oddities.
    def odd_headers(self) -> Hostile:
        body, ts = self.body(), self.now()
        good = sign(ts, body[0])
        other = sign(ts, self.body()[0])
        stale_ts = str(int(ts) - self.rng.randint(301, 3600))
        ts_header = ("X-Slack-Request-Timestamp", ts)
        choice = self.n % 9
        if choice == 0:  # two signatures, neither for this body
            headers = [ts_header, ("X-Slack-Signature", mutate_hex(self.rng, good)), ("X-Slack-Signature", other)]
        elif choice == 1:  # a forged signature first, then the genuine one: ambiguous, so refused
            headers = [ts_header, ("X-Slack-Signature", "v0=" + "0" * 64), ("X-Slack-Signature", good)]
        elif choice == 2:  # the genuine signature first, then a forged one
            headers = [ts_header, ("X-Slack-Signature", good), ("X-Slack-Signature", mutate_hex(self.rng, good))]
        elif choice == 3:  # both values folded into one header
            headers = [ts_header, ("X-Slack-Signature", f"{mutate_hex(self.rng, good)}, {good}")]
        elif choice == 4:  # two timestamps: a stale one the signature is for, then a fresh one
            headers = [
                ("X-Slack-Request-Timestamp", stale_ts),
                ("X-Slack-Request-Timestamp", ts),
                ("X-Slack-Signature", sign(stale_ts, body[0])),
            ]
        elif choice == 5:  # a very long signature that starts with the genuine one
            size = self.rng.randint(1024, MAX_HEADER_VALUE - len(good))
            headers = [ts_header, ("X-Slack-Signature", good + "0" * size)]
        elif choice == 6:  # a very long numeric timestamp, signed with the right secret
            long_ts = "1" * self.rng.randint(4400, MAX_HEADER_VALUE)
            headers = [("X-Slack-Request-Timestamp", long_ts), ("X-Slack-Signature", sign(long_ts, body[0]))]
        elif choice == 7:  # a very long unrelated header alongside a forged signature
            filler = "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(MAX_HEADER_VALUE))
            headers = [ts_header, ("X-Slack-Signature", mutate_hex(self.rng, good)), ("X-Forwarded-For", filler)]
        else:  # the timestamp padded with zeros after signing: the same number, but not what was signed
            long_ts = "0" * self.rng.randint(1024, MAX_HEADER_VALUE - len(ts)) + ts
            headers = [("X-Slack-Request-Timestamp", long_ts), ("X-Slack-Signature", good)]
        return Hostile("header oddities", 401, body[0], body[1], tuple(headers), variant=f"oddity {choice}")


FAMILIES: dict[str, tuple[Callable[[Forger], Hostile], int]] = {
    "wrong_secret": (Forger.wrong_secret, 90),
    "mutated_hex": (Forger.mutated_hex, 90),
    "bad_prefix": (Forger.bad_prefix, 80),
    "no_signature": (Forger.no_signature, 60),
    "no_timestamp": (Forger.no_timestamp, 50),
    "non_numeric_timestamp": (Forger.non_numeric_timestamp, 80),
    "stale": (Forger.stale, 90),
    "future": (Forger.future, 60),
    "swapped_body": (Forger.swapped_body, 70),
    "truncated": (Forger.truncated, 70),
    "extended": (Forger.extended, 70),
    "oversized": (Forger.oversized, 36),
    "non_utf8": (Forger.non_utf8, 80),
    "odd_headers": (Forger.odd_headers, 90),
}


def hostile_requests(emulator: SlackEmulator, seed: int = SEED) -> list[Hostile]:
    rng = random.Random(seed)
    forger = Forger(rng, emulator)
    made = [build(forger) for build, count in FAMILIES.values() for _ in range(count)]
    rng.shuffle(made)
    return made


# --- raw HTTP -----------------------------------------------------------------------------------------------


def _encode(hostile: Hostile, host: str) -> tuple[bytes, list[bytes]]:
    lines = [
        f"POST {SLACK_PATH} HTTP/1.1",
        f"Host: {host}",
        "User-Agent: Slackbot 1.0 (+https://api.slack.com/robots)",
        f"Content-Type: {hostile.content_type}",
        "Connection: close",
    ]
    lines += [f"{name}: {value}" for name, value in hostile.headers]
    body = hostile.body
    if hostile.framing == "chunked":
        lines.append("Transfer-Encoding: chunked")
        step = 64 * 1024
        chunks = [b"%x\r\n%s\r\n" % (len(body[i : i + step]), body[i : i + step]) for i in range(0, len(body), step)]
        chunks.append(b"0\r\n\r\n")
    elif hostile.framing == "overstated":
        lines.append(f"Content-Length: {MAX_BODY_BYTES + 1 + len(body)}")
        chunks = [body]
    else:
        lines.append(f"Content-Length: {len(body)}")
        step = 256 * 1024
        chunks = [body[i : i + step] for i in range(0, len(body), step)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), chunks


def send(address: tuple[str, int], hostile: Hostile) -> int:
    """POST the request exactly as built and return the HTTP status (0 if the connection died first)."""
    head, chunks = _encode(hostile, f"{address[0]}:{address[1]}")
    with socket.create_connection(address, timeout=10) as sock:
        try:
            sock.sendall(head)
            for chunk in chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before taking the whole body, as it should for an oversized one
        received = b""
        try:
            while b"\r\n" not in received:
                data = sock.recv(4096)
                if not data:
                    break
                received += data
        except ConnectionResetError:
            pass
    status_line = received.split(b"\r\n", 1)[0].split()
    return int(status_line[1]) if len(status_line) >= 2 and status_line[1].isdigit() else 0


def row_counts(db: Database) -> dict[str, int]:
    with db.unit_of_work() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


# --- tests --------------------------------------------------------------------------------------------------


def test_every_forged_request_is_refused_nothing_is_stored_and_the_server_keeps_answering(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    parsed = urllib.parse.urlsplit(slack.url)
    address = (parsed.hostname or "127.0.0.1", parsed.port or 80)
    before = row_counts(db)
    requests = hostile_requests(emulator)
    families = Counter(r.family for r in requests)
    assert len(requests) >= 1000 and min(families.values()) >= 30, families

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(lambda r: send(address, r), requests))

    wrong = Counter(
        (r.family, r.variant, r.expected, status)
        for r, status in zip(requests, statuses, strict=True)
        if status != r.expected
    )
    assert not wrong, f"(family, variant, expected, got): count — {dict(wrong)}"
    assert not [s for s in statuses if 200 <= s < 300 or s >= 500]
    threading.Event().wait(0.3)  # give a wrongly accepted request's listener time to do damage
    assert row_counts(db) == before
    assert [c.method for c in emulator.calls if c.method != "auth.test"] == []
    assert emulator.responses == []

    assert slack.command("/mentor", "help", user=ADMIN).status == 200  # still serving


def _mentorships(db: Database) -> list[Mentorship]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(Mentorship)))


def test_a_replay_in_the_window_is_accepted_and_a_slack_retry_of_assign_stores_one_mentorship(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    body, content_type = command_body(random.Random(SEED), emulator, 0)
    fields = dict(urllib.parse.parse_qsl(body.decode()))
    fields.update(command="/mentor", text=f"assign <@{AMY}|amy> <@{BEN}|ben>")
    body = urllib.parse.urlencode(fields).encode()
    ts = int(time.time())
    signature = sign(str(ts), body)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}

    first = slack.post(body, content_type, timestamp=ts, signature=signature)
    again = slack.post(body, content_type, timestamp=ts, signature=signature, extra_headers=retry)

    assert (first.status, again.status) == (200, 200)
    replies = wait_until(lambda: emulator.responses[1:] and emulator.responses, what="both replies")
    assert len(_mentorships(db)) == 1, [r.get("text") for r in replies]
    texts = [str(r.get("text")) for r in replies]
    assert not [t for t in texts if "Sorry, something went wrong" in t], texts
    assert sum("now mentors" in t for t in texts) == 1 and sum("already mentors" in t for t in texts) == 1, texts
