"""Serving HTTP from several processes on one port: the parent opens the listening socket, forks the web
processes, which share it (the kernel hands each new connection to one of them), and watches over them.

Each child builds its own database engine and Bolt app after the fork (a connection must never be shared
between processes). SIGTERM or Ctrl+C reaches the parent, which passes SIGTERM on and waits for every child
to finish its requests in flight. A child that dies is started again, unless it died as it started (a
setting or a database problem then stops everything, with the child's own message in the log).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)

BACKLOG = 2048
# A child that exits sooner than this after starting is broken, not unlucky: restarting it would only loop.
START_GRACE = 5.0


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def serve_forked(workers: int, sock: socket.socket, child: Callable[[socket.socket, int], None]) -> int:
    """Run `child(sock, index)` in `workers` forked processes until SIGTERM/SIGINT; returns an exit status."""
    children: dict[int, tuple[int, float]] = {}  # pid -> (index, started at)
    stopping = False
    status = 0

    def spawn(index: int) -> None:
        pid = os.fork()
        if pid == 0:  # the child: never returns into the parent's code
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 0
            try:
                child(sock, index)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                log.exception("Web process %d stopped with an error", index + 1)
                code = 1
            finally:
                logging.shutdown()
                os._exit(code)
        children[pid] = (index, time.monotonic())

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:
            log.info("Stopping %d web processes (signal %d)", len(children), signum)
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    for index in range(workers):
        spawn(index)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("Serving HTTP from %d web processes (pids %s)", workers, ", ".join(str(pid) for pid in children))
    while children:
        try:
            pid, wait_status = os.wait()
        except ChildProcessError:
            break
        found = children.pop(pid, None)
        if found is None:
            continue
        index, started = found
        code = os.waitstatus_to_exitcode(wait_status)
        if stopping:
            continue
        if time.monotonic() - started < START_GRACE:
            log.error("Web process %d exited as it started (status %d): stopping the others", index + 1, code)
            status = 1
            stop(signal.SIGTERM, None)
            continue
        log.warning("Web process %d (pid %d) exited (status %d): starting another", index + 1, pid, code)
        spawn(index)
    sock.close()
    return status
