"""Harness for the headless command line: a `factorio` launcher, and real processes whose stdout is read line by
line so a test waits (bounded) for the log line it needs.

`factorio_bin` is the fixture other tests can use wherever a Factorio binary path is asked for (the local-binary
backend's tests, for one): it is `factoryverse.engine.headless.write_launcher` in a temporary folder.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

from factoryverse.engine.headless import VERSION_ENV, write_launcher
from factoryverse.engine.mods import BUNDLED_MODS_DIR

# A cold start loads prototypes and generates the starting chunks (about a second alone, more on a loaded
# machine); every wait is bounded by this, none is slept.
TIMEOUT = 60.0
PASSWORD = "headless-test"


class Headless:
    """One `factorio ...` process; `lines` are its stdout lines so far."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str]):
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.lines: list[str] = []
        self._cursor = 0  # lines before it were passed by a wait
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern: str, timeout: float = TIMEOUT) -> re.Match:
        """The next line matching `pattern` after the last one a wait matched; fails at EOF or after `timeout`."""
        rx = re.compile(pattern)
        while True:
            while self._cursor < len(self.lines):
                m = rx.search(self.lines[self._cursor])
                self._cursor += 1
                if m:
                    return m
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no line matching {pattern!r} within {timeout}s; log so far:\n" + self.log)
            if line is None:
                self._queue.put(None)
                pytest.fail(f"the process ended without a line matching {pattern!r}; log:\n" + self.log)
            self.lines.append(line)

    def find(self, pattern: str) -> re.Match | None:
        """`pattern` anywhere in the log read so far (one line per match)."""
        return re.search(pattern, self.log, re.MULTILINE)

    def finish(self, timeout: float = TIMEOUT) -> int:
        """Wait for the exit code, reading the rest of the log."""
        code = self.proc.wait(timeout)
        while (line := self._queue.get(timeout=timeout)) is not None:
            self.lines.append(line)
        self._queue.put(None)
        return code

    def stop(self, sig: signal.Signals = signal.SIGINT) -> int:
        self.proc.send_signal(sig)
        return self.finish()

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def first(self, pattern: str) -> re.Match:
        """The first line of the whole log matching `pattern`, waiting for it if it has not come yet."""
        return self.find(pattern) or self.wait_for(pattern)

    def rcon_port(self) -> int:
        return int(self.first(r"Starting RCON interface at IP ADDR:\(\{[^:]+:(\d+)\}\)").group(1))

    def in_game_tick(self) -> int:
        return int(self.first(r"updateTick\((\d+)\) changing state from\(CreatingGame\) to\(InGame\)").group(1))


@pytest.fixture
def factorio_bin(tmp_path_factory) -> Path:
    """A `factorio` executable running the embedded engine (version from $FACTORYVERSE_FACTORIO_VERSION)."""
    return write_launcher(tmp_path_factory.mktemp("bin"))


@pytest.fixture
def mods_copy(tmp_path) -> Path:
    """The repository's mods in a folder of the test's own (so a test may add a mod-list.json)."""
    folder = tmp_path / "mods"
    shutil.copytree(BUNDLED_MODS_DIR, folder)
    return folder


@pytest.fixture
def run_factorio(factorio_bin, tmp_path) -> Iterator:
    """Start `factorio ARGS` in tmp_path (its write-data unless a config says otherwise); every process started is
    killed at the end if it still runs."""
    started: list[Headless] = []

    def run(*args: str, version: str | None = None, cwd: Path | None = None) -> Headless:
        env = {k: v for k, v in os.environ.items() if k != VERSION_ENV}
        if version is not None:
            env[VERSION_ENV] = version
        proc = Headless([str(factorio_bin), *args], cwd or tmp_path, env)
        started.append(proc)
        return proc

    yield run
    for proc in started:
        if proc.proc.poll() is None:
            proc.proc.kill()
            proc.proc.wait(TIMEOUT)
