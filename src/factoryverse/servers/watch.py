"""Hot reload: when a mod's files change, every watched server saves its game and starts again from that save with
the mods packaged anew, keeping its id, ports and RCON password.

The game goes on from the saved tick and Factorio's load lifecycle runs (on_load; on_configuration_changed when a
mod's version changed). Each start is a new run (run id, fresh map database), as every start from a save is.

A change is taken only if every Lua file of the mods compiles: otherwise the servers are not touched and the report
names the file and line. A server that does not start with the changed mods (an error while loading them) comes
back from the same save with the last mods that did start, so the game is never lost; the next change retries.

Example:
    >>> with ModWatcher(started, on_report=lambda r: print(*r.lines(), sep="\\n")) as watcher:  # doctest: +SKIP
    ...     watcher.run(stop_event)
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from factoryverse.engine.errors import EngineError
from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION
from factoryverse.engine.mods import BUNDLED_MODS_DIR, discover_mods
from factoryverse.servers._lua_syntax import LuaSyntaxProblem, check_mods_syntax
from factoryverse.servers._reload import (
    GameClock,
    ReloadError,
    game_tick,
    next_save_name,
    read_clock,
    save_game,
    start_from_save,
)
from factoryverse.servers.instances import (
    DEFAULT_AUTOSAVE_MINUTES,
    Instance,
    InstanceError,
    latest_save,
    list_instances,
    stop_instance,
)
from factoryverse.servers.mod_packages import ModPackageError, package_mods

__all__ = ["ModWatcher", "ReloadReport", "InstanceReload", "WatchError", "ReloadError", "LuaSyntaxProblem"]

# Editors write a file in several steps (truncate, write, rename): one reload per save of the file.
DEFAULT_DEBOUNCE_MS = 800
_SAVE_TIMEOUT_S = 60.0
# How long the file watch waits before handing back an empty batch; the first one tells that the watch is set up.
_IDLE_MS = 300


class WatchError(InstanceError):
    """The watcher cannot start: no servers to watch, or a mods folder that is missing or unreadable."""


@dataclass(frozen=True)
class InstanceReload:
    """What a reload did to one server. `reloaded`: it runs the changed mods. `instance`: its record now (None while
    it is down, waiting for the next change). `save` and `tick`: the save it went on from and the game tick it is
    at after the start. `error` says why it was not reloaded."""

    instance_id: int
    reloaded: bool
    instance: Instance | None
    save: Path | None = None
    tick: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class ReloadReport:
    """One reload: the mod files that `changed` (relative to the mods folder), the files that did not compile (then
    no server was touched), a `problem` that stopped the change for every server, and each server's outcome."""

    changed: tuple[str, ...]
    syntax_errors: tuple[LuaSyntaxProblem, ...] = ()
    problem: str | None = None
    instances: tuple[InstanceReload, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.syntax_errors and all(r.reloaded for r in self.instances)

    def lines(self) -> list[str]:
        """What `fv server start --watch` prints about this reload."""
        shown = ", ".join(self.changed[:5]) + (f" and {len(self.changed) - 5} more" if len(self.changed) > 5 else "")
        out = [f"changed: {shown or '(reload asked)'}"]
        for p in self.syntax_errors:
            out.append(f"  not reloaded: {p}")
        if self.syntax_errors:
            out.append("  the servers run on with the last good mods; the next change is tried again")
        if self.problem:
            out.append(f"  not reloaded: {self.problem}")
        for r in self.instances:
            at = f" at tick {r.tick}" if r.tick is not None else ""
            if r.reloaded:
                out.append(f"  instance {r.instance_id}: reloaded from {r.save}, the game goes on{at}")
            elif r.instance is not None:
                out.append(f"  instance {r.instance_id}: {r.error}; it runs{at} with the last good mods")
            else:
                out.append(f"  instance {r.instance_id}: {r.error}")
        return out


@dataclass
class _Slot:
    record: Instance  # the last record it ran as (its mode and password carry over)
    running: bool
    version: str
    save: Path | None = None
    mods_dir: Path | None = None
    clock: GameClock | None = None  # as the game had it when saved


class ModWatcher:
    """Watches `mods_source` (default: the repository's mods/) and hot-reloads `instances` on every change.

    `autosave_minutes` and `docker_image` are given to each restart as `fv server start` gave them (the backend,
    mode, password and Factorio binary come from each server's record); game.speed and game.tick_paused are set back
    as the game had them when saved (`speed` serves a server that had exited and could not be asked). Reports go
    to `on_report` (and are returned by `reload`); `on_ready` is called once the file watch is in place (`ready`).
    Packages of the mods live in a folder of the watcher's own: call `close` (or leave the `with` block) after the
    servers are stopped.

    Example:
        >>> watcher = ModWatcher(list_instances())  # doctest: +SKIP
    """

    def __init__(self, instances: Sequence[Instance], *, mods_source: Path | None = None, speed: float = 1.0,
                 autosave_minutes: float = DEFAULT_AUTOSAVE_MINUTES,
                 on_report: Callable[[ReloadReport], None] | None = None,
                 on_ready: Callable[[], None] | None = None, debounce_ms: int = DEFAULT_DEBOUNCE_MS,
                 save_timeout: float = _SAVE_TIMEOUT_S, docker_image: str | None = None):
        if not instances:
            raise WatchError("no servers to watch; start some with `fv server start --watch`")
        self.source = Path(mods_source if mods_source is not None else BUNDLED_MODS_DIR).resolve()
        try:
            self._mod_names = {m.path.name for m in discover_mods(self.source)}
        except EngineError as exc:
            raise WatchError(f"cannot watch {self.source}: {exc}") from exc
        if not self._mod_names:
            raise WatchError(f"{self.source} holds no mod folders (a folder with an info.json); give --mods-dir")
        self.speed = speed
        self.autosave_minutes = autosave_minutes
        self.on_report = on_report
        self.on_ready = on_ready
        self.debounce_ms = debounce_ms
        self.save_timeout = save_timeout
        self.docker_image = docker_image
        # Set once the file watch is in place: a change made before it may be missed.
        self.ready = threading.Event()
        self._slots = {i.id: _Slot(i, True, i.factorio_version or DEFAULT_FACTORIO_VERSION) for i in instances}
        self._work = Path(tempfile.mkdtemp(prefix="fv-watch-"))
        self._generation = 0
        self._good: dict[str, Path] = {}
        try:
            # The mods as the servers started with them: what a server comes back with if a change breaks loading.
            for version in sorted({s.version for s in self._slots.values()}):
                self._good[version] = self._package(version)
        except ModPackageError as exc:
            shutil.rmtree(self._work, ignore_errors=True)
            raise WatchError(f"cannot package the mods of {self.source}: {exc}") from exc

    # -- what runs ------------------------------------------------------------------------------------------------

    @property
    def instances(self) -> list[Instance]:
        """The records of the watched servers that run now (a reload replaces a server's record)."""
        return [s.record for s in self._slots.values() if s.running]

    def __enter__(self) -> ModWatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the watcher's packages of the mods; stop the servers first (they load their mods from there)."""
        shutil.rmtree(self._work, ignore_errors=True)

    # -- watching -------------------------------------------------------------------------------------------------

    def run(self, stop_event: threading.Event) -> None:
        """Reload on every change under the mods folder until `stop_event` is set."""
        for changes in watchfiles.watch(self.source, debounce=self.debounce_ms, stop_event=stop_event,
                                        rust_timeout=_IDLE_MS, yield_on_timeout=True, raise_interrupt=False):
            if not self.ready.is_set():
                self.ready.set()
                if self.on_ready is not None:
                    self.on_ready()
            files = self._mod_files(path for _, path in changes)
            if files and not stop_event.is_set():
                self.reload(files)

    def _mod_files(self, paths: Iterable[str]) -> list[str]:
        out = set()
        for p in paths:
            try:
                rel = Path(p).resolve().relative_to(self.source)
            except ValueError:
                continue
            # Hidden files and caches are not packaged, so they change nothing in the game.
            if len(rel.parts) > 1 and not any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                out.add(rel.as_posix())
        return sorted(out)

    # -- reloading ------------------------------------------------------------------------------------------------

    def reload(self, changed: Iterable[str] = ()) -> ReloadReport:
        """Reload every watched server with the mods as they are now; `changed` only goes into the report."""
        changed_t = tuple(sorted(changed))
        try:
            problems = check_mods_syntax(self.source)
        except EngineError as exc:
            return self._emit(ReloadReport(changed_t, problem=f"cannot read the mods in {self.source}: {exc}"))
        if problems:
            return self._emit(ReloadReport(changed_t, syntax_errors=tuple(problems)))
        self._forget_stopped()
        if not self._slots:
            return self._emit(ReloadReport(changed_t, problem="no watched server is left (all were stopped with "
                                                              "`fv server stop`); start them again to watch them"))
        packages: dict[str, Path] = {}
        try:
            for version in sorted({s.version for s in self._slots.values()}):
                packages[version] = self._package(version)
        except ModPackageError as exc:
            return self._emit(ReloadReport(changed_t, problem=f"cannot package the mods: {exc}"))
        results = tuple(self._reload_one(slot, packages[slot.version]) for _, slot in sorted(self._slots.items()))
        for version, package in packages.items():
            if all(r.reloaded for r in results if self._slots[r.instance_id].version == version):
                self._good[version] = package
        self._prune()
        return self._emit(ReloadReport(changed_t, instances=results))

    def _emit(self, report: ReloadReport) -> ReloadReport:
        if self.on_report is not None:
            self.on_report(report)
        return report

    def _package(self, version: str) -> Path:
        self._generation += 1
        dest = self._work / f"{self._generation}-{version}"
        package_mods(dest, version, unpacked=True, source=self.source)
        return dest

    def _forget_stopped(self) -> None:
        """A server whose record is gone was stopped on purpose (`fv server stop`): it is not brought back."""
        recorded = {(i.id, i.pid) for i in list_instances()}
        for iid in [iid for iid, s in self._slots.items() if s.running and (iid, s.record.pid) not in recorded]:
            del self._slots[iid]

    def _prune(self) -> None:
        keep = set(self._good.values()) | {s.mods_dir for s in self._slots.values() if s.mods_dir is not None}
        for folder in self._work.iterdir():
            if folder not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    def _reload_one(self, slot: _Slot, package: Path) -> InstanceReload:
        iid = slot.record.id
        if slot.running and slot.record.alive():
            try:
                clock = read_clock(slot.record)
                slot.save = save_game(slot.record, next_save_name(slot.save), self.save_timeout)
                slot.clock = clock
            except ReloadError as exc:
                return InstanceReload(iid, False, slot.record, slot.save, None, f"not reloaded: {exc}")
        if slot.running:
            stop_instance(slot.record)  # also clears the record of a server that had exited on its own
            slot.running = False
        if slot.save is None:
            try:
                slot.save = latest_save(iid, slot.record.backend)
            except InstanceError as exc:
                return InstanceReload(iid, False, None, None, None,
                                      f"its server had exited and cannot come back: {exc}")
        try:
            self._start(slot, package)
            return InstanceReload(iid, True, slot.record, slot.save, self._tick(slot.record))
        except InstanceError as exc:
            error = f"did not start with the changed mods: {exc}"
        try:
            self._start(slot, self._good[slot.version])
        except InstanceError as exc:
            return InstanceReload(iid, False, None, slot.save, None,
                                  f"{error}; nor with the last good mods: {exc}; it starts from {slot.save} on the "
                                  "next change")
        return InstanceReload(iid, False, slot.record, slot.save, self._tick(slot.record),
                              f"{error}; it came back from {slot.save}")

    def _start(self, slot: _Slot, package: Path) -> None:
        assert slot.save is not None
        clock = slot.clock or GameClock(self.speed, slot.record.mode == "paused")
        new = start_from_save(slot.record, slot.save, mods_dir=package, clock=clock,
                              autosave_minutes=self.autosave_minutes, docker_image=self.docker_image)
        slot.record, slot.running, slot.mods_dir = new, True, package

    @staticmethod
    def _tick(inst: Instance) -> int | None:
        try:
            return game_tick(inst)
        except ReloadError:
            return None  # only for the report; the server's own state says the rest
