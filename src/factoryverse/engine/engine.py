"""The embedded engine: one game world, its mods, and the tick loop. Not thread-safe: one thread owns it.

In-process use (tests, the RL fast path)::

    engine = Engine(seed=1)
    engine.run_ticks(60)
    reply = engine.execute_command("/sc rcon.print(game.tick)")

``Engine(seed=1, factorio_version="2.1")`` runs the game as Factorio 2.1 instead of the default 2.0.
``Engine(seed=1, scenario="fv_embodied_agent/lab-grid")`` runs a mod's scenario as the level script
(engine/scenarios.py); a save records it and a loaded game runs it again.

The server (engine/server/instance.py) wraps the same object and runs RCON commands between ticks. Its loop calls
update(), which honours the game clock (game.tick_paused, ticks_to_run; engine/clock.py); step() and run_ticks()
always run their ticks, since an in-process caller is the clock itself.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path
from typing import Any, Callable

from factoryverse.engine import api as _api  # registers every API class
from factoryverse.engine.clock import GameClock
from factoryverse.engine.console import Console
from factoryverse.engine.errors import EngineError, LuaRuntimeError, ModLoadError
from factoryverse.engine.events import EventBus
from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION, FactorioVersion
from factoryverse.engine.factorio_versions import factorio_version as resolve_factorio_version
from factoryverse.engine.lua.environment import install_globals
from factoryverse.engine.lua.runtime import (
    DEFAULT_INSTRUCTION_LIMIT,
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_STRING_LIMIT,
    LuaState,
)
from factoryverse.engine.lua.watchdog import DEFAULT_WATCHDOG_SECONDS, Watchdog
from factoryverse.engine.mechanics.pathing import PathRequests
from factoryverse.engine.migrations import all_migrations
from factoryverse.engine.mod_errors import ModErrors
from factoryverse.engine.mods import (
    BUNDLED_MODS_DIR,
    ModRuntime,
    builtin_mod_roots,
    check_factorio_version,
    discover_mods,
    order_mods,
)
from factoryverse.engine.outputs import Outputs
from factoryverse.engine.prototype_sources import data_root
from factoryverse.engine.prototypes import PrototypeData, load_prototypes
from factoryverse.engine.scenarios import Scenario, ScenarioError, find_scenario, saved_scenario
from factoryverse.engine.settings import load_mod_settings
from factoryverse.engine.world.world import World
from factoryverse.engine.save import game_save as _save
from factoryverse.engine.save import savefile as _savefile
from factoryverse.engine.save.server_saves import DEFAULT_AUTOSAVE_SLOTS, ServerSaves
from factoryverse.engine.save.fork import check_fork
from factoryverse.engine.save.world_codec import no_cyclic_gc

__all__ = ["Engine", "TICKS_PER_SECOND"]

log = logging.getLogger("factoryverse.engine")

TICKS_PER_SECOND = 60

# Chunks generated per tick and surface from request_to_generate_chunks's queue: a fixed number, so when a chunk
# appears is the same in every run (one chunk takes a few milliseconds; benchmarks/mapgen_chunks.py).
CHUNKS_PER_TICK = 1

# Longest log line kept and logged; a line past it (a 4 MiB chat message, a mod logging a huge string) is cut with
# a note of its full length.
MAX_LOG_LINE = 8192


class Engine:
    def __init__(
        self,
        seed: int = 0,
        *,
        mods_dir: Path | str | None = None,
        mods: list[str] | None = None,
        script_output: Path | str | None = None,
        instruction_limit: int = DEFAULT_INSTRUCTION_LIMIT,
        watchdog_seconds: float | None = DEFAULT_WATCHDOG_SECONDS,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        string_limit: int = DEFAULT_STRING_LIMIT,
        starting_chunks: int = 4,
        factorio_version: str = DEFAULT_FACTORIO_VERSION,
        saves_dir: Path | str | None = None,
        autosave_ticks: int = 0,
        autosave_slots: int = DEFAULT_AUTOSAVE_SLOTS,
        mod_settings: dict[str, Any] | None = None,
        scenario: str | None = None,
        _image: Any = None,
    ):
        self.seed = seed
        # The one Factorio version this game runs as: its prototype data, API members, defines and what its mods
        # must declare (engine/factorio_versions.py).
        self.factorio: FactorioVersion = resolve_factorio_version(factorio_version)
        self.prototypes: PrototypeData = load_prototypes(self.factorio)
        self.instruction_limit = instruction_limit
        self.memory_limit = memory_limit
        self.string_limit = string_limit
        self.log_lines: deque[str] = deque(maxlen=10_000)
        # One deadline for every state: a remote.call from a command runs under the command's deadline.
        self.watchdog = Watchdog(watchdog_seconds)
        self.watchdog.on_abort = self.log_line
        self.mod_error_log = ModErrors()
        self.mod_errors: list[str] = self.mod_error_log.recent  # the newest ones; see mod_errors.py
        self.outputs = Outputs(Path(script_output) if script_output else None)
        self.events = EventBus(self)
        self.paths = PathRequests(self)
        self.remote_interfaces: dict[str, tuple[Any, dict[str, Any]]] = {}
        self.console = Console(self)
        self.mod_roots: dict[str, Path] = builtin_mod_roots(data_root(self.factorio))
        self.mods: list[ModRuntime] = []
        # game.tick_paused, ticks_to_run and speed; the server's loop reads them (engine/clock.py).
        self.clock = GameClock()
        # The server's saves folder, game.server_save, /save and autosaves (engine/save/server_saves.py).
        self.saves = ServerSaves(saves_dir, autosave_ticks=autosave_ticks, slots=autosave_slots)
        mods_path = Path(mods_dir) if mods_dir is not None else BUNDLED_MODS_DIR
        # Mods are read and ordered before the world is generated, so a bad mods folder fails at once.
        infos = discover_mods(mods_path, mods) if (mods is None or mods) else []
        check_factorio_version(infos, self.factorio.name)
        infos = order_mods(infos, self.factorio.base)
        # The settings stage and the configured values (mods_dir/mod-settings.json, then `mod_settings`; see
        # engine/settings.py), before the world: a bad setting fails at once.
        self._mod_settings_given = mod_settings
        self.mod_settings = load_mod_settings(
            infos, {**self.mod_roots, **{i.name: i.path for i in infos}}, mods_path, mod_settings,
            self.factorio.base, self.factorio.api, self.log_line)
        # A loaded game (Engine.load, fork) rebuilds its world from the save instead (engine/save/).
        self.starting_chunks = starting_chunks
        self._mods_path, self._mod_names = mods_path, mods
        root = None
        # The scenario is found before the world is made, so a wrong name fails at once; a loaded game's is its save's.
        self.scenario: Scenario | None = (
            find_scenario(scenario, [(i.name, i.path) for i in infos]) if scenario is not None and _image is None
            else None)
        if _image is None:
            self.world = World(self, seed, starting_chunks=starting_chunks)
        else:
            root = _save.load_world_image(self, _image)
            self.world = root["world"]
            self.scenario = saved_scenario((root.get("lifecycle") or {}).get("scenario"), scenario,
                                           [(i.name, i.path) for i in infos])
        for info in infos:
            self.mod_roots[info.name] = info.path
        # The level's state runs console commands, as the scenario script does in Factorio.
        self.level = self._new_state(None, "level")
        for info in infos:
            self._load_mod(info)
        # The scenario's script comes after the mods', as the game loads the level last.
        if self.scenario is not None:
            self._load_scenario(self.scenario)
        if _image is None:
            for mod in self.mods:
                if mod.on_init is not None:
                    self._run_handler(mod, "on_init", mod.on_init)
            if self.level_script.on_init is not None:
                self._run_handler(self.level_script, "on_init", self.level_script.on_init)
            # A new game runs no migration and records every one as applied (engine/migrations.py).
            self.applied_migrations = all_migrations(self)
        else:
            _save.restore(self, _image, root)  # type: ignore[arg-type]

    # -- save, load, fork (engine/save/) ---------------------------------------------------------------------

    def save(self, folder: Path | str, name: str) -> Path:
        """Write the game to `<folder>/<name>.fvsave` atomically; returns the path. SaveError (nothing written) for
        a bad name or a storage holding a function."""
        path = _savefile.save_path(Path(folder), name)
        with no_cyclic_gc():
            data = _save.save_bytes(self)
        _savefile.write_save(path, data)
        return path

    @classmethod
    def load(cls, path: Path | str, *, factorio_version: str | None = None, **kwargs: Any) -> "Engine":
        """A new engine running the game saved at `path` (the save's Factorio version unless one is given; another
        one is refused). The mods are those of `mods_dir`/`mods` as for a new game: mods new to the save get on_init,
        the others on_load, and on_configuration_changed follows any change (engine/save/game_save.py)."""
        header, body = _savefile.read_save(Path(path))
        image = _save.GameImage(header, body)
        with no_cyclic_gc(long_lived=True):
            engine = cls(header.seed, factorio_version=factorio_version or header.factorio_version, _image=image,
                         **kwargs)
        # As Factorio's server: a loaded game saves (game.server_save(), /save) under the name it was loaded from.
        engine.saves.name = Path(path).name.removesuffix(_savefile.SAVE_SUFFIX)
        return engine

    def fork(self, *, script_output: Path | str | None = None, force: bool = False) -> "Engine":
        """A copy of this game sharing nothing mutable with it: the same world, storage and clock, in new Lua states
        (the same mods, from the same folder). Its files go to `script_output` (none by default). ForkRefusedError
        (the game untouched) if the last console command failed, unless `force`."""
        check_fork(self, force)
        with no_cyclic_gc(long_lived=True):
            return self._fork(script_output)

    def _fork(self, script_output: Path | str | None) -> "Engine":
        image = _save.capture(self)
        return type(self)(
            self.seed, mods_dir=self._mods_path, mods=self._mod_names, script_output=script_output,
            instruction_limit=self.instruction_limit, watchdog_seconds=self.watchdog.seconds,
            memory_limit=self.memory_limit, string_limit=self.string_limit, starting_chunks=self.starting_chunks,
            factorio_version=self.factorio.name, mod_settings=self._mod_settings_given, _image=image,
        )

    # -- Lua states -----------------------------------------------------------------------------------------

    @property
    def tick(self) -> int:
        return self.world.tick

    def _new_state(self, mod: ModRuntime | None, name: str) -> LuaState:
        state = LuaState(
            name,
            _api.REGISTRY,
            instruction_limit=self.instruction_limit,
            watchdog=self.watchdog,
            memory_limit=self.memory_limit,
            string_limit=self.string_limit,
            api_version=self.factorio.api,
        )
        script = mod if mod is not None else ModRuntime.level(self, state)
        objects = _api.global_objects(self, state, script)
        requirer = install_globals(self, state, mod=mod.name if mod else None, api_objects=objects)
        state.requirer = requirer  # type: ignore[attr-defined]
        if mod is None:
            self.level_script = script
        return state

    def _load_mod(self, info: Any) -> None:
        control = info.path / "control.lua"
        mod = ModRuntime(info, None, f"script:{info.name}")  # type: ignore[arg-type]
        mod.state = self._new_state(mod, info.name)
        mod.storage = mod.state.globals().storage
        self.mods.append(mod)
        if not control.exists():
            return
        try:
            mod.state.requirer.run_file(info.name, control)  # type: ignore[attr-defined]
        except LuaRuntimeError as e:
            raise ModLoadError(f"mod {info.name} failed to load control.lua:\n{e}") from e
        except Exception as e:  # lupa raises its own LuaError from nested chunks
            raise ModLoadError(f"mod {info.name} failed to load control.lua:\n{e}") from e

    def _load_scenario(self, scenario: Scenario) -> None:
        """Run the scenario's control.lua in the level's state; its own files are `__level__/...` there."""
        requirer = self.level.requirer  # type: ignore[attr-defined]
        requirer.roots["level"] = scenario.path
        try:
            requirer.run_file("level", scenario.control)
        except (LuaRuntimeError, ModLoadError) as e:
            raise ScenarioError(f"scenario {scenario.id} failed to load control.lua:\n{e}") from e
        except Exception as e:  # lupa raises its own LuaError from nested chunks
            raise ScenarioError(f"scenario {scenario.id} failed to load control.lua:\n{e}") from e

    def _run_handler(self, owner: Any, what: str, fn: Any, *args: Any) -> Any:
        """Run a mod's handler; a Lua error is logged with its traceback and the game goes on."""
        state = owner.state
        try:
            return state.call(f"{owner.name} {what}", fn, *args)
        except LuaRuntimeError as e:
            self.record_mod_error(owner, what, e)
            return None

    def record_mod_error(self, owner: Any, what: str, error: Exception) -> None:
        """Keep a handler's error in `mod_errors`; log it the first time, and its repeats as a periodic summary."""
        text = f"Error in {owner.name} while running {what}: {error}"
        if self.mod_error_log.record(owner.name, what, text):
            self.log_line(text)

    # -- the loop -------------------------------------------------------------------------------------------

    def step(self) -> None:
        """One game tick: script on_tick handlers, then entity updates, as Factorio orders them."""
        self.events.raise_tick()
        self.world.update()
        self.paths.update()
        for surface in self.world.surfaces.values():
            if surface.requested:
                surface.generate_requested(CHUNKS_PER_TICK)
        self.world.tick += 1
        if self.world.tick % self.mod_error_log.summary_ticks == 0:
            for line in self.mod_error_log.summarise():
                self.log_line(line)
        # After the tick, as the game saves between updates: game.server_save requests, then a due autosave.
        self.saves.after_tick(self)

    def update(self) -> bool:
        """One update of the game loop: a tick, unless game.tick_paused holds it and no ticks_to_run are left.
        Returns whether a tick ran."""
        if not self.clock.take_tick():
            return False
        self.step()
        return True

    def run_ticks(self, n: int) -> None:
        for _ in range(n):
            self.step()

    def run_until(self, predicate: Callable[[], bool], max_ticks: int) -> int:
        """Step until predicate() is true; returns ticks run. Raises EngineError past max_ticks."""
        for i in range(max_ticks + 1):
            if predicate():
                return i
            self.step()
        raise EngineError(f"condition not reached within {max_ticks} ticks")

    # -- console --------------------------------------------------------------------------------------------

    def execute_command(self, text: str) -> str:
        """Run one console line as RCON would (``/sc ...``, ``/help``, a mod's command); returns the reply text."""
        try:
            return self.console.execute(text)
        finally:
            self.saves.flush(self)  # game.server_save() asked by the command, written once it has finished

    # -- helpers used by API objects ------------------------------------------------------------------------

    def defines_table(self, state: LuaState) -> Any:
        return _api.defines_table(state, self.factorio.api)

    def localised_to_text(self, value: Any) -> str:
        return _api.localised_to_text(value)

    def log_line(self, text: str) -> None:
        if len(text) > MAX_LOG_LINE:
            text = f"{text[:MAX_LOG_LINE]}... ({len(text) - MAX_LOG_LINE} more characters)"
        self.log_lines.append(text)
        log.info("%s", text)

    def close(self) -> None:
        self.outputs.close()
