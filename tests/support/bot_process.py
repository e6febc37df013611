"""`python -m bot …` in a subprocess whose clock the test sets: `python -m tests.support.bot_process serve`.

The clock is the time written in the file named by MENTOR_BOT_TEST_CLOCK (ISO 8601, with its offset), read at
every `now()`, so a test moves several processes' clocks at once by rewriting one file. Only this test entry
point reads it: the bot itself never does. `BotProcess` starts one (web or worker) and stops it with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

CLOCK_FILE = "MENTOR_BOT_TEST_CLOCK"


def file_clock(path: Path) -> datetime:
    return datetime.fromisoformat(path.read_text().strip())


def set_clock(path: Path, now: datetime) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(now.isoformat())
    temporary.replace(path)  # atomic: a process never reads half a time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.support.bot_process", *args]


class BotProcess:
    """One `python -m bot …` process (through this module, for its clock), its output in a file."""

    def __init__(self, *args: str, env: dict[str, str], cwd: Path, name: str) -> None:
        self.log_path = cwd / f"{name}.log"
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(
            bot_command(*args), env=env, cwd=cwd, stdout=self.log_file, stderr=subprocess.STDOUT, text=True
        )
        self.port = int(env.get("PORT", "0"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        if not self.log_file.closed:
            self.log_file.flush()
        return self.log_path.read_text()

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited ({self.process.returncode}):\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise AssertionError(f"the bot did not become healthy:\n{self.output()}")

    def wait(self, timeout: float = 120.0) -> int:
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.log_file.close()

    def stop(self, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        finally:
            self.log_file.close()


def _main() -> int:
    import bot.app.bootstrap as bootstrap_module
    import bot.cli.common as common
    from bot.__main__ import main

    path = Path(os.environ[CLOCK_FILE])

    def clock() -> datetime:
        return file_clock(path)

    # Every command builds its objects with these two functions' default clock.
    assert bootstrap_module.bootstrap.__kwdefaults__ is not None and common.ready_deps.__kwdefaults__ is not None
    bootstrap_module.bootstrap.__kwdefaults__["clock"] = clock
    common.ready_deps.__kwdefaults__["clock"] = clock
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(_main())
