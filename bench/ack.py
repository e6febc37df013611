"""How fast mentor-bot answers Slack, side by side with a bare Bolt app on the same server stack.

    python bench/ack.py                                   # SQLite temp file, 8 and 32 clients, 10 s a row
    python bench/ack.py --database postgresql://postgres@127.0.0.1:5432/test --seconds 5
    python bench/ack.py --clients 8 --kinds observe,home-lead

Both apps run in their own process, served by bot/app/web.py (uvicorn + Starlette, Bolt's thread pool),
against one Slack emulator (tests/support/emulator) in this process:

* mentor-bot: the real app (`create_app`) over a seeded school (tests/support/seeding.py: `--mentees` mentees
  with a term of history, three to a mentor; 32 lead mentors who each see the whole cohort);
* bare Bolt: an `App` that only acks and opens a fixed modal, posts a fixed reply or publishes a fixed Home:
  the very views and reply mentor-bot sent in the warm-up, so both send Slack the same bytes.

Each of `--clients` clients plays one person: it sends a signed request (`/observe @mentee`, `/meeting @mentee`,
`/target @mentee …`, or `app_home_opened` for a mentor, or for a lead mentor of the whole cohort), waits for the
HTTP 200 and then for what the person waits for to reach the emulator (views.open, the response_url reply,
views.publish), then goes again, for `--seconds` per app and row (in `--rounds` alternating slices, so a
noisy machine hurts both alike). Every client of a slice starts at once, a burst that steady traffic never
brings, so requests sent in a slice's first `--settle` seconds are not counted: the burst costs both apps the
same few ms, but it would weigh more in the percentiles of the app that completes fewer requests (mentor-bot's
clients wait longer for a Home to be built than bare Bolt's for a fixed one). Printed per row: requests a
second, p50/p99 to the HTTP 200, p50/p99 until the view (or reply) reached Slack, p50/p99 until the real modal
is on screen ("form": the views.open of the form itself, or the views.update that replaced an "Opening …"
placeholder with it; handlers/slack/modal_first.py), failures (nothing shown within 3 s, or Slack refused it),
and mentor-bot / bare.
Nothing is asserted: the figures are printed for the README. With BENCH_PROFILE=dir, mentor-bot's server
samples its threads' stacks and writes the busiest functions to dir/mentor-bot.txt when the bench ends.
"""

from __future__ import annotations

import argparse
import collections
import math
import multiprocessing
import os
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from bot.app.settings import Settings
from handlers.slack.modal_first import PLACEHOLDER_CALLBACK
from storage.db import Database
from storage.roster import Role, RoleGrant
from tests.support.driver import SlackDriver
from tests.support.emulator import Call, SlackEmulator
from tests.support.seeding import TEAM, seed_term

NOW = datetime(2026, 12, 11, 12, 0, tzinfo=UTC)  # the Friday bench/home.py and bench/digest.py use
SIGNING_SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
LEADS = 32  # lead mentors, one per client at most: each sees the whole cohort
VIEW_WAIT = 3.0  # Slack's trigger lasts 3 s: a modal later than this never opens
FORM_WAIT = 10.0  # a form that replaces a placeholder needs no trigger: it may come later
KINDS = {
    "observe": "/observe @mentee",
    "meeting": "/meeting @mentee",
    "target": "/target @mentee …",
    "home": "Home (mentor)",
    "home-lead": "Home (lead mentor)",
}


# --- the two apps, each in its own process ---------------------------------------------------------------


def sample_stacks(path: str, every: float = 0.005) -> None:
    """A poor man's sampling profiler for the server process (BENCH_PROFILE=dir): every few ms, each thread's
    stack; at exit, the functions most often on a stack (inclusive) and on top (exclusive), for finding hot spots."""
    import atexit
    import signal
    import traceback

    inclusive: collections.Counter[str] = collections.Counter()
    exclusive: collections.Counter[str] = collections.Counter()
    samples = 0
    me = threading.get_ident()

    def sample() -> None:
        nonlocal samples
        while True:
            time.sleep(every)
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                stack = traceback.extract_stack(frame)
                if not stack or stack[-1].name in ("wait", "select", "_worker", "sleep", "run_forever", "_run_once"):
                    continue
                samples += 1
                names = {f"{Path(f.filename).name}:{f.name}" for f in stack}
                inclusive.update(names)
                exclusive[f"{Path(stack[-1].filename).name}:{stack[-1].name}:{stack[-1].lineno}"] += 1

    def dump() -> None:
        with open(path, "w") as out:
            out.write(f"{samples} busy samples\n-- inclusive\n")
            for name, count in inclusive.most_common(80):
                out.write(f"{count:>7} {name}\n")
            out.write("-- exclusive\n")
            for name, count in exclusive.most_common(60):
                out.write(f"{count:>7} {name}\n")

    atexit.register(dump)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    me = sampler.ident or 0


def serve_mentor_bot(database_url: str, api_url: str, home_processes: int, port: int) -> None:
    """mentor-bot as `python -m bot serve` builds it (without the scheduler, with `home_processes` helpers
    building Home tabs), on a fixed clock."""
    import logging

    if os.environ.get("BENCH_PROFILE"):
        sample_stacks(os.path.join(os.environ["BENCH_PROFILE"], "mentor-bot.txt"))

    from bot.app.bootstrap import bootstrap
    from bot.app.home_processes import HomeHelpers
    from bot.app.settings import Settings
    from bot.app.slack_app import create_app
    from bot.app.web import freeze_startup_objects, make_server

    logging.basicConfig(level=logging.WARNING)
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DATABASE_URL": database_url,
        "SLACK_API_URL": api_url,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    deps = bootstrap(settings, clock=lambda: NOW)
    home_helpers = HomeHelpers(settings, home_processes)
    server = make_server(
        create_app(deps, home_helpers=home_helpers),
        signing_secret=SIGNING_SECRET,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        on_stop=[home_helpers.close],
    )
    home_helpers.start()
    freeze_startup_objects()  # as `python -m bot serve` does
    try:
        server.run()
    finally:
        home_helpers.close()


def serve_bare_bolt(api_url: str, fixed: dict[str, Any], port: int) -> None:
    """A Bolt app that only acks and sends the fixed view or reply, on the same web stack and Web API client."""
    import logging

    from slack_bolt import Ack, App, Respond
    from slack_sdk import WebClient

    from bot.app.settings import Settings
    from bot.app.slack_client import make_web_client
    from bot.app.web import freeze_startup_objects, make_server

    logging.basicConfig(level=logging.WARNING)
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    app = App(client=make_web_client(settings), signing_secret=SIGNING_SECRET, process_before_response=False)

    def modal(kind: str) -> Callable[..., None]:
        def open_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=fixed[kind])

        return open_modal

    def target(ack: Ack, respond: Respond) -> None:
        ack()
        respond(**fixed["target"])

    def home(event: dict[str, Any], client: WebClient) -> None:
        user = event["user"]
        client.views_publish(user_id=user, view=fixed["home-lead" if user.startswith("ULEAD") else "home"])

    app.command("/observe")(modal("observe"))
    app.command("/meeting")(modal("meeting"))
    app.command("/target")(target)
    app.event("app_home_opened")(home)
    server = make_server(app, signing_secret=SIGNING_SECRET, host="127.0.0.1", port=port, log_level="warning")
    freeze_startup_objects()  # the same server stack as mentor-bot's
    server.run()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(target: Callable[..., None], *args: Any) -> tuple[multiprocessing.process.BaseProcess, str]:
    port = free_port()
    # Not a daemon: mentor-bot's server starts helper processes of its own (bot/app/home_processes.py).
    process = multiprocessing.get_context("spawn").Process(target=target, args=(*args, port))
    process.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                return process, url
        except OSError:
            if time.monotonic() > deadline or not process.is_alive():
                raise RuntimeError(f"{target.__name__} did not start") from None
            time.sleep(0.1)


# --- the school ------------------------------------------------------------------------------------------


@contextmanager
def school_database(url: str | None, mentees: int) -> Iterator[str]:
    """A migrated database with the seeded school: a temporary SQLite file, or a throw-away PostgreSQL schema."""
    with tempfile.TemporaryDirectory() as workdir:
        if url is None:
            db_url = f"sqlite:///{Path(workdir) / 'bench-ack.db'}"
            admin = None
            schema = ""
        else:
            base = make_url(url)
            schema = f"mentorbot_ack_{uuid.uuid4().hex[:8]}"
            admin = Database.from_url(base.render_as_string(hide_password=False))
            with admin.engine.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            db_url = base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
                hide_password=False
            )
        db = Database.from_url(db_url)
        try:
            db.migrate()
            seed_term(db, mentees)
            with db.unit_of_work() as session:
                leads = [
                    dict(team_id=TEAM, user_id=f"ULEAD{n:02d}", role=Role.LEAD, granted_by="UADMIN", granted_at=NOW)
                    for n in range(LEADS)
                ]
                session.execute(insert(RoleGrant), leads)
            db.engine.dispose()
            yield db_url
        finally:
            db.engine.dispose()
            if admin is not None:
                with admin.engine.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.engine.dispose()


def school_emulator(mentees: int) -> SlackEmulator:
    emulator = SlackEmulator(bot_token=TOKEN, team_id=TEAM, team_name="Bench School").start()
    emulator.add_user("UADMIN", "admin", is_admin=True)
    for n in range(LEADS):
        emulator.add_user(f"ULEAD{n:02d}", f"lead{n}", real_name=f"Lead Mentor {n}")
    for n in range(max(1, mentees // 3)):
        emulator.add_user(f"UM{n:06d}", f"mentor{n}", real_name=f"Mentor {n}")
    for n in range(mentees):
        emulator.add_user(f"UE{n:06d}", f"mentee{n}", real_name=f"Mentee {n}")
    emulator.trigger_ttl = VIEW_WAIT
    return emulator


# --- the clients -----------------------------------------------------------------------------------------


class Arrivals:
    """Waits for what a request makes reach Slack: views.open by trigger, views.publish by user, replies by key;
    and, under `form:<key>`, a modal's form itself (not its placeholder)."""

    def __init__(self, emulator: SlackEmulator) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, tuple[threading.Event, list[Call]]] = {}
        self._placeholders: dict[str, str] = {}  # a placeholder's view id -> the trigger key it opened on
        emulator.watch(self._arrived)

    def _key(self, call: Call) -> str | None:
        if call.method == "views.open":
            return f"trigger:{call.params.get('trigger_id')}"
        if call.method == "views.publish":
            return f"home:{call.params.get('user_id')}"
        if call.method == "response_url":
            return f"reply:{call.params.get('_key')}"
        return None

    def _arrived(self, call: Call) -> None:
        key = self._key(call)
        form_key: str | None = None
        with self._lock:
            view_id = str(((call.response or {}).get("view") or {}).get("id") or "")
            if call.method == "views.open" and key is not None:
                if (call.params.get("view") or {}).get("callback_id") == PLACEHOLDER_CALLBACK:
                    self._placeholders[view_id] = key
                else:
                    form_key = f"form:{key}"
            elif call.method == "views.update":
                trigger_key = self._placeholders.pop(str(call.params.get("view_id") or ""), None)
                form_key = f"form:{trigger_key}" if trigger_key else None
            waiting = [self._waiting.get(k) for k in (key or "", form_key or "")]
        for entry in waiting:
            if entry is not None:
                entry[1].append(call)
                entry[0].set()

    def expect(self, key: str) -> Callable[[float], Call | None]:
        event: threading.Event = threading.Event()
        calls: list[Call] = []
        with self._lock:
            self._waiting[key] = (event, calls)

        def wait(timeout: float) -> Call | None:
            event.wait(timeout)
            with self._lock:
                self._waiting.pop(key, None)
            return calls[0] if calls else None

        return wait


@dataclass
class Sample:
    sent: float  # time.monotonic() when the request went out
    acked: float  # seconds to the HTTP 200
    shown: float | None  # seconds until the view / reply reached Slack (None: it never did, or was refused)
    formed: float | None = None  # seconds until a modal's form was on screen (None: not a modal, or it never was)


@dataclass
class Client:
    """One person, sending one kind of request again and again."""

    number: int
    kind: str
    driver: SlackDriver
    arrivals: Arrivals
    mentors: int
    samples: list[Sample] = field(default_factory=list)

    def once(self) -> Sample:
        emulator = self.driver.emulator
        mentee, mentor = f"UE{self.number:06d}", f"UM{self.number % self.mentors:06d}"
        trigger = emulator.new_trigger_id()
        wait_form: Callable[[float], Call | None] | None = None
        if self.kind in ("home", "home-lead"):
            user = f"ULEAD{self.number:02d}" if self.kind == "home-lead" else mentor
            wait = self.arrivals.expect(f"home:{user}")
            event = {"type": "app_home_opened", "user": user, "channel": "D0001", "tab": "home"}
            started = time.monotonic()
            result = self.driver.event(event, team_id=TEAM)
        else:
            reply = f"{self.kind}-{uuid.uuid4().hex}"
            command, words = {
                "observe": ("/observe", f"<@{mentee}|mentee>"),
                "meeting": ("/meeting", f"<@{mentee}|mentee>"),
                "target": ("/target", f"<@{mentee}|mentee> Use cold calling to check understanding by Friday"),
            }[self.kind]
            key = f"reply:{reply}" if self.kind == "target" else f"trigger:{trigger}"
            wait = self.arrivals.expect(key)
            wait_form = self.arrivals.expect(f"form:{key}") if self.kind != "target" else None
            fields = {
                "token": "legacy-verification-token",
                "team_id": TEAM,
                "team_domain": "bench-school",
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": mentor,
                "user_name": mentor.lower(),
                "command": command,
                "text": words,
                "api_app_id": "A0001",
                "is_enterprise_install": "false",
                "response_url": emulator.response_url(reply),
                "trigger_id": trigger,
            }
            started = time.monotonic()
            result = self.driver.post(urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded")
        acked = time.monotonic() - started
        if result.status != 200 or result.body:  # an answer in the ack is a refusal: the bench is set up wrong
            raise RuntimeError(f"{self.kind}: HTTP {result.status} {result.text[:200]}")
        call = wait(max(0.0, VIEW_WAIT - acked))
        ok = call is not None and call.status == 200 and (call.response is None or bool(call.response.get("ok")))
        formed: float | None = None
        if wait_form is not None:
            form = wait_form(max(0.0, FORM_WAIT - acked) if ok else 0.0)
            if form is not None and form.response is not None and form.response.get("ok"):
                formed = form.at - started
        return Sample(started, acked, (call.at - started) if ok and call is not None else None, formed)

    def run(self, until: float) -> None:
        while time.monotonic() < until:
            self.samples.append(self.once())


def drive(
    app_url: str,
    emulator: SlackEmulator,
    arrivals: Arrivals,
    kind: str,
    clients: int,
    seconds: float,
    mentors: int,
    settle: float,
) -> list[Sample]:
    """`clients` people sending `kind` for `settle` + `seconds`; the samples of requests sent after `settle`."""
    driver = SlackDriver(app_url, SIGNING_SECRET, emulator, team_id=TEAM, team_domain="bench-school")
    people = [Client(n, kind, driver, arrivals, mentors) for n in range(clients)]
    counted_from = time.monotonic() + settle
    until = counted_from + seconds
    threads = [threading.Thread(target=person.run, args=(until,), daemon=True) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [sample for person in people for sample in person.samples if sample.sent >= counted_from]


# --- figures ---------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@dataclass
class Row:
    rate: float
    ack_p50: float
    ack_p99: float
    shown_p50: float
    shown_p99: float
    form_p50: float
    form_p99: float
    failed: int

    @classmethod
    def of(cls, samples: list[Sample], seconds: float) -> Row:
        acks = [s.acked for s in samples]
        shown = [s.shown for s in samples if s.shown is not None]
        formed = [s.formed for s in samples if s.formed is not None]
        return cls(
            len(samples) / seconds,
            percentile(acks, 0.50) * 1000,
            percentile(acks, 0.99) * 1000,
            percentile(shown, 0.50) * 1000,
            percentile(shown, 0.99) * 1000,
            percentile(formed, 0.50) * 1000,
            percentile(formed, 0.99) * 1000,
            len(samples) - len(shown),
        )


def ms(value: float) -> str:
    """Milliseconds, or "-" where there is nothing to time (no form behind a reply or a Home)."""
    return "-" if math.isnan(value) else f"{value:.0f}"


def line(label: str, kind: str, clients: int | str, app: str, row: Row) -> str:
    return (
        f"{label:<20}{clients!s:>8}  {app:<11}{row.rate:>8.1f}{ms(row.ack_p50):>9}{ms(row.ack_p99):>9}"
        f"{ms(row.shown_p50):>10}{ms(row.shown_p99):>10}{ms(row.form_p50):>10}{ms(row.form_p99):>10}{row.failed:>8}"
    )


def ratio_line(mentor: Row, bare: Row) -> str:
    def r(a: float, b: float) -> str:
        return "-" if not b or math.isnan(a) or math.isnan(b) else f"{a / b:.2f}×"

    return (
        f"{'':<20}{'':>8}  {'ratio':<11}{r(mentor.rate, bare.rate):>8}{r(mentor.ack_p50, bare.ack_p50):>9}"
        f"{r(mentor.ack_p99, bare.ack_p99):>9}{r(mentor.shown_p50, bare.shown_p50):>10}"
        f"{r(mentor.shown_p99, bare.shown_p99):>10}{r(mentor.form_p50, bare.form_p50):>10}"
        f"{r(mentor.form_p99, bare.form_p99):>10}"
    )


def warm_up(
    app_url: str, emulator: SlackEmulator, arrivals: Arrivals, kinds: list[str], clients: int, mentors: int
) -> dict[str, Any]:
    """One request per client and kind (people met, caches and query plans warm, as in a running bot); returns
    the view or reply mentor-bot sent for each kind, for the bare app to send as its fixed one."""
    fixed: dict[str, Any] = {}
    for kind in kinds:
        emulator.reset()
        drive_once = [
            Client(n, kind, SlackDriver(app_url, SIGNING_SECRET, emulator, team_id=TEAM), arrivals, mentors)
            for n in range(clients)
        ]
        for person in drive_once:
            sample = person.once()
            if sample.shown is None:
                raise RuntimeError(f"mentor-bot showed nothing for {kind} in the warm-up: {emulator.calls[-3:]}")
        if kind == "target":
            reply = dict(emulator.responses[-1])
            reply.pop("_key", None)
            fixed[kind] = reply
        elif kind.startswith("home"):
            fixed[kind] = dict(emulator.calls_to("views.publish")[-1].params["view"])
        else:  # the form itself, whether it opened at once or replaced a placeholder
            sent = [c.params["view"] for c in emulator.calls_to("views.open") + emulator.calls_to("views.update")]
            fixed[kind] = dict(next(v for v in reversed(sent) if v.get("callback_id") != PLACEHOLDER_CALLBACK))
    return fixed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=None, help="a PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per app and row (default 10)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating slices per row (default 2)")
    parser.add_argument("--clients", default="8,32")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--mentees", type=int, default=500)
    parser.add_argument(
        "--settle", type=float, default=0.5, help="seconds at each slice's start not counted (default 0.5)"
    )
    parser.add_argument(
        "--home-processes",
        type=int,
        default=Settings.model_fields["home_build_processes"].default,
        help="helper processes building Home tabs, as HOME_BUILD_PROCESSES (default: its default; 0: none)",
    )
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",")]
    kinds = args.kinds.split(",")
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        parser.error(f"unknown kind {unknown[0]!r}: choose from {', '.join(KINDS)}")
    if max(levels) > min(LEADS, args.mentees // 3):
        parser.error("more clients than mentors or lead mentors in the school")
    mentors = max(1, args.mentees // 3)
    backend = make_url(args.database).get_backend_name() if args.database else "sqlite"
    print(
        f"bench/ack.py: {backend}, {args.mentees} mentees ({mentors} mentors, {LEADS} lead mentors of all), "
        f"{args.seconds:g} s per app and row (after {args.settle:g} s to settle), "
        f"{args.home_processes} Home helper processes, {os.cpu_count()} CPUs; times in ms",
        flush=True,
    )
    with school_database(args.database, args.mentees) as db_url:
        emulator = school_emulator(args.mentees)
        arrivals = Arrivals(emulator)
        mentor_process, mentor_url = start(serve_mentor_bot, db_url, emulator.api_url, args.home_processes)
        fixed = warm_up(mentor_url, emulator, arrivals, kinds, max(levels), mentors)
        bare_process, bare_url = start(serve_bare_bolt, emulator.api_url, fixed)
        warm_up(bare_url, emulator, arrivals, kinds, max(levels), mentors)
        try:
            header = (
                f"{'request':<20}{'clients':>8}  {'app':<11}{'req/s':>8}{'200 p50':>9}{'200 p99':>9}"
                f"{'view p50':>10}{'view p99':>10}{'form p50':>10}{'form p99':>10}{'failed':>8}"
            )
            print(header, flush=True)
            slice_seconds = args.seconds / args.rounds
            for clients in levels:
                for kind in kinds:
                    samples: dict[str, list[Sample]] = collections.defaultdict(list)
                    for _ in range(args.rounds):
                        for app, url in (("bare Bolt", bare_url), ("mentor-bot", mentor_url)):
                            emulator.reset()
                            samples[app] += drive(
                                url, emulator, arrivals, kind, clients, slice_seconds, mentors, args.settle
                            )
                    bare = Row.of(samples["bare Bolt"], args.seconds)
                    mentor = Row.of(samples["mentor-bot"], args.seconds)
                    print(line(KINDS[kind], kind, clients, "bare Bolt", bare), flush=True)
                    print(line("", kind, "", "mentor-bot", mentor), flush=True)
                    print(ratio_line(mentor, bare), flush=True)
        finally:
            for process in (mentor_process, bare_process):
                process.terminate()
                process.join(timeout=10)
                if process.is_alive():  # never leave a server behind, whatever its shutdown waits for
                    process.kill()
                    process.join()
            emulator.stop()


if __name__ == "__main__":
    main()
