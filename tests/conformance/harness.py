"""A game reached only over RCON, as anyone's Factorio server is: Lua in, printed text out, exact ticks.

Nothing here knows whether the server is the embedded engine or the real game; the tests read every number they
expect from the server's own prototypes (`prototypes.entity[...]`), so one test judges both.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from factorio_rcon import RCONClient

__all__ = ["Area", "Game", "GameLuaError", "STORE", "assert_outputs_at", "number"]

# Factorio's prefix for a /sc command whose Lua raised; the engine answers the same way.
_LUA_ERROR = "Cannot execute command"
# While ticks run the game goes as fast as it can; the real game runs `ticks_to_run` at game speed.
_RUN_SPEED = 1000
# The slowest we accept: the real game at speed 1 (60 UPS), plus room for a busy machine.
_RUN_GRACE_S = 30.0
_POLL_FIRST_S = 0.001
_POLL_MAX_S = 0.05
_HELLO = "fv-conformance-ready"
# Where tests keep their entities between commands: one table, emptied for each test.
STORE = "storage.fv_conformance"


class GameLuaError(AssertionError):
    """The server answered a command with a Lua error; the message has its text."""


@dataclass(frozen=True)
class Area:
    """A square of `size` tiles with its top-left corner at (x, y), cleared for one test."""

    x: int
    y: int
    size: int

    def pos(self, dx: float, dy: float) -> str:
        """A Lua position `dx`, `dy` tiles from the area's top-left corner."""
        return f"{{{self.x + dx!r}, {self.y + dy!r}}}"


class Game:
    """One RCON connection to a server, with the game tick-paused so that only `run_ticks` advances it."""

    def __init__(self, host: str, port: int, password: str, *, timeout: float = 30.0):
        self._client = RCONClient(host, port, password, timeout=timeout)
        # The real game answers the first Lua command of a session with a warning that achievements will be
        # disabled and runs nothing; the command has to be sent again.
        for _ in range(2):
            if _HELLO in (self._client.send_command(f"/sc rcon.print('{_HELLO}')") or ""):
                break
        else:
            raise GameLuaError(f"the server at {host}:{port} does not run console Lua (/sc)")
        self.was_paused = self.lua("rcon.print(tostring(game.tick_paused))") == "true"
        self.lua("game.tick_paused = true")

    @classmethod
    def connect(cls, address: str, password: str) -> Game:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"a server address is host:port (e.g. 127.0.0.1:27015), got {address!r}")
        return cls(host, int(port), password)

    def close(self, *, restore: bool = True) -> None:
        """Let the game run again if it was running before we paused it, and disconnect."""
        try:
            if restore and not self.was_paused:
                self.lua("game.tick_paused = false")
        finally:
            self._client.close()

    def lua(self, code: str) -> str:
        """Run Lua as the console does (`/sc`) and return what it printed; a Lua error raises GameLuaError."""
        reply = self._client.send_command("/sc " + code) or ""
        if reply.startswith(_LUA_ERROR):
            raise GameLuaError(f"{reply}\n--- while running:\n{code}")
        return reply

    @property
    def tick(self) -> int:
        return int(self.lua("rcon.print(game.tick)"))

    def run_ticks(self, n: int) -> int:
        """Run exactly `n` ticks and return the tick reached; waits (bounded) until the game has run them."""
        if n < 0:
            raise ValueError(f"cannot run {n} ticks")
        if n == 0:
            return self.tick
        start, speed = self.lua(
            "rcon.print(game.tick .. ' ' .. game.speed) "
            f"game.tick_paused = true game.speed = {_RUN_SPEED} game.ticks_to_run = {n}"
        ).split()
        target = int(start) + n
        deadline = time.monotonic() + _RUN_GRACE_S + n / 60
        wait = _POLL_FIRST_S
        try:
            while (now := self.tick) < target:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the server ran only {now - int(start)} of {n} ticks in "
                                       f"{_RUN_GRACE_S + n / 60:.0f} s")
                time.sleep(wait)
                wait = min(wait * 2, _POLL_MAX_S)
        finally:
            self.lua(f"game.speed = {speed}")
        if now != target:
            raise AssertionError(f"asked for {n} ticks from {start} but the game is at {now}: something else runs it")
        return now

    def run_to(self, tick: int) -> int:
        now = self.tick
        if tick < now:
            raise ValueError(f"the game is at tick {now}, past {tick}")
        return self.run_ticks(tick - now)

    def prepare_area(self, area: Area, tile: str = "lab-dark-1", *, margin: int = 8) -> None:
        """Generate the chunks round `area`, pave it with `tile` and remove every entity on it and `margin` tiles
        round it (resources, trees, rocks, items, what an earlier run left), and enemies nearby."""
        x0, y0, x1, y1 = area.x, area.y, area.x + area.size, area.y + area.size
        box = f"{{{{{x0 - margin}, {y0 - margin}}}, {{{x1 + margin}, {y1 + margin}}}}}"
        wide = f"{{{{{x0 - 160}, {y0 - 160}}}, {{{x1 + 160}, {y1 + 160}}}}}"
        radius = -(-(area.size // 2 + margin) // 32)  # chunks round the centre one that cover area and margin
        self.lua(
            "local s = game.surfaces[1] "
            f"s.request_to_generate_chunks({{{x0 + area.size / 2}, {y0 + area.size / 2}}}, {radius}) "
            "s.force_generate_chunk_requests() "
            f"for _, e in pairs(s.find_entities_filtered{{area = {box}}}) do "
            "  if e.valid and e.type ~= 'character' then e.destroy() end end "
            f"for _, e in pairs(s.find_entities_filtered{{area = {wide}, force = 'enemy'}}) do "
            "  if e.valid then e.destroy() end end "
            "local tiles = {} "
            f"for y = {y0 - margin}, {y1 + margin - 1} do for x = {x0 - margin}, {x1 + margin - 1} do "
            f"  tiles[#tiles + 1] = {{name = '{tile}', position = {{x, y}}}} end end "
            f"s.set_tiles(tiles) {STORE} = {{}}"
        )

    def clear_area(self, area: Area) -> None:
        """Remove what a test built, so that nothing of it runs on (and counts in the force's statistics) later."""
        box = f"{{{area.pos(0, 0)}, {area.pos(area.size, area.size)}}}"
        self.lua(f"for _, e in pairs(game.surfaces[1].find_entities_filtered{{area = {box}}}) do "
                 f"if e.valid then e.destroy() end end {STORE} = {{}}")


def number(game: Game, expr: str) -> float:
    """A Lua expression's value as the server computes it (prototype fields, counts)."""
    reply = game.lua(f"rcon.print({expr})")
    try:
        return float(reply)
    except ValueError:
        raise AssertionError(f"{expr} is {reply!r} on this server, not a number") from None


def assert_outputs_at(game: Game, count: str, expected: Iterable[int], why: str, after: str = "") -> None:
    """Check that the Lua expression `count` (a number that only grows) rises by one at each tick of `expected`
    (absolute ticks, repeated for several outputs at once) and at no other tick up to the last.

    A rise at tick T is seen once the game is at T, not at T - 1; running to T - 1 and to T for every expected
    tick checks that, and any output between them shows as a wrong count at the next check. `after` is Lua run after
    each check (a top-up that keeps a machine from starving).
    """
    wanted = Counter(expected)
    base = int(number(game, count))
    done = 0
    for n, t in enumerate(sorted(wanted), 1):
        game.run_to(t - 1)
        before = int(number(game, count)) - base
        game.run_to(t)
        now = int(number(game, count)) - base
        if before != done or now != done + wanted[t]:
            raise AssertionError(
                f"{why}: expected {done} output(s) by tick {t - 1} and {done + wanted[t]} by tick {t} "
                f"(the {n}th output tick of {sorted(wanted)}), the game had {before} and {now}"
            )
        done += wanted[t]
        if after:
            game.lua(after)
