"""Factorio's headless command line: the options the game documents, parsed the way its option parser does.

Options come as `--name VALUE`, `--name=VALUE` or `-c VALUE`; a flag takes no value. An option the game does not
have fails with the game's own text (`Option ‘name’ does not exist`, a blank line, the usage) and exit code 1.
Options the game has that mean nothing to a server without game clients (ban lists, whitelists, ...) are accepted
and reported as not applied, so a launcher written for the real binary runs unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from factoryverse.engine.headless._errors import OptionError

__all__ = ["Options", "parse_options", "usage", "ACTIONS"]

# name -> (metavar or None for a flag, help); the order is the usage's.
_GENERAL = {
    "help": (None, "print this help and exit"),
    "version": (None, "print the version this runs as and exit"),
    "verbose": (None, "log the engine's debug lines too"),
    "config": ("PATH", "a config.ini; its [path] write-data holds saves/, mods/ and script-output/"),
    "no-log-rotation": (None, "accepted; the log goes to stdout only"),
    "mod-directory": ("PATH", "the mods folder, with its mod-list.json (default: <write-data>/mods)"),
    "executable-path": ("PATH", "what __PATH__executable__ in config.ini stands for (its folder)"),
}
_RUNNING = {
    "create": ("FILE", "make a new map, save it as FILE and exit"),
    "map-gen-settings": ("FILE", "JSON map generation settings (the seed is used) for a new map"),
    "map-gen-seed": ("SEED", "seed of a new map (--create, --start-server-load-scenario), over the file's"),
    "map-settings": ("FILE", "accepted, not applied"),
    "preset": ("PRESET", "accepted, not applied"),
    "start-server": ("FILE", "serve the save FILE"),
    "start-server-load-scenario": ("[MOD/]NAME", "serve a new map running scenario NAME (of mod MOD if given)"),
    "start-server-load-latest": (None, "serve the newest save of the saves folder"),
    "enable-lua-udp": ("PORT", "accepted; helpers.send_udp always works here"),
}
_SERVER = {
    "port": ("N", "game port; checked, nothing listens (no game clients)"),
    "bind": ("ADDRESS[:PORT]", "game address; checked, nothing listens (no game clients)"),
    "rcon-port": ("N", "RCON port, on every interface"),
    "rcon-bind": ("ADDRESS:PORT", "RCON address and port"),
    "rcon-password": ("PASSWORD", "RCON password (needed whenever RCON is asked for)"),
    "server-settings": ("FILE", "server-settings.json: autosave_interval, autosave_slots, name"),
    "server-whitelist": ("FILE", "accepted, not applied (no game clients)"),
    "use-server-whitelist": (None, "accepted, not applied (no game clients)"),
    "server-banlist": ("FILE", "accepted, not applied (no game clients)"),
    "server-adminlist": ("FILE", "accepted, not applied (no game clients)"),
    "server-id": ("FILE", "accepted, not applied"),
    "console-log": ("FILE", "also append the log to FILE"),
}
_SHORT = {"h": "help", "v": "verbose", "c": "config"}
_ALL = {**_GENERAL, **_RUNNING, **_SERVER}
# What the process is asked to do; exactly one of them.
ACTIONS = ("create", "start-server", "start-server-load-latest", "start-server-load-scenario")
# Accepted so a real server's launcher runs unchanged; they mean nothing without game clients.
NOT_APPLIED = ("map-settings", "preset", "server-whitelist", "use-server-whitelist", "server-banlist",
               "server-adminlist", "server-id", "no-log-rotation")


@dataclass
class Options:
    """The parsed command line; `given` maps each option given to its value (True for a flag), `argv` is as typed."""

    given: dict[str, str | bool] = field(default_factory=dict)
    argv: list[str] = field(default_factory=list)

    def flag(self, name: str) -> bool:
        return bool(self.given.get(name, False))

    def value(self, name: str) -> str | None:
        v = self.given.get(name)
        return v if isinstance(v, str) else None

    def path(self, name: str) -> Path | None:
        v = self.value(name)
        return Path(v).expanduser() if v is not None else None

    def integer(self, name: str, *, low: int, high: int) -> int | None:
        v = self.value(name)
        if v is None:
            return None
        try:
            n = int(v, 10)
        except ValueError:
            raise OptionError(f"Argument ‘{v}’ failed to parse") from None
        if not low <= n <= high:
            raise OptionError(f"--{name} {v}: give a whole number from {low} to {high}")
        return n

    @property
    def action(self) -> str | None:
        chosen = [a for a in ACTIONS if a in self.given]
        if len(chosen) > 1:
            raise OptionError(f"--{chosen[0]} and --{chosen[1]} cannot be used together: give one of "
                              + ", ".join(f"--{a}" for a in ACTIONS))
        return chosen[0] if chosen else None


def parse_options(argv: list[str]) -> Options:
    """Parse `argv` (without the program name). OptionError for what the game's parser refuses."""
    opts = Options(argv=list(argv))
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg.startswith("--"):
            name, eq, inline = arg[2:].partition("=")
        elif arg.startswith("-") and len(arg) > 1:
            short, inline = arg[1], arg[2:]
            eq = "=" if inline else ""
            inline = inline.removeprefix("=")
            name = _SHORT.get(short, short)
            if short not in _SHORT:
                raise OptionError(f"Option ‘{short}’ does not exist")
        else:
            raise OptionError(f"Unexpected argument ‘{arg}’: every value belongs to an option (see --help)")
        if name not in _ALL:
            raise OptionError(f"Option ‘{name}’ does not exist")
        metavar = _ALL[name][0]
        if metavar is None:
            if eq and name != "use-server-whitelist":
                raise OptionError(f"Option ‘{name}’ does not take an argument, but argument ‘{inline}’ given")
            opts.given[name] = True
            continue
        if eq:
            value = inline
        elif i < len(argv):
            value = argv[i]
            i += 1
        else:
            raise OptionError(f"Option ‘{name}’ is missing an argument")
        opts.given[name] = value
    return opts


def _section(title: str, table: dict[str, tuple[str | None, str]]) -> list[str]:
    lines = [f" {title}:"]
    shorts = {v: k for k, v in _SHORT.items()}
    for name, (metavar, text) in table.items():
        left = (f"-{shorts[name]}, " if name in shorts else "    ") + f"--{name}" + (f" {metavar}" if metavar else "")
        lines.append(f"  {left:<42} {text}")
    return lines + [""]


def usage(program: str = "factorio") -> str:
    """The --help text, in the game's layout (a usage line, then the options by group)."""
    lines = ["Usage:", f"  {program} [OPTION...]", ""]
    lines += _section("General options", _GENERAL)
    lines += _section("Running options", _RUNNING)
    lines += _section("Server options", _SERVER)
    return "\n".join(lines)
