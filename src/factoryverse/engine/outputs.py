"""What leaves the game besides RCON: files in script-output (helpers.write_file) and UDP datagrams."""

from __future__ import annotations

import logging
import shutil
import socket
from pathlib import Path, PurePosixPath

from factoryverse.engine.errors import ScriptError

__all__ = ["Outputs"]

log = logging.getLogger("factoryverse.engine.outputs")

# Factorio's --enable-lua-udp sends to localhost only.
_UDP_HOST = "127.0.0.1"


class Outputs:
    def __init__(self, script_output: Path | None):
        self.script_output = script_output
        self._sock: socket.socket | None = None
        self.udp_sent = 0
        self.udp_errors = 0
        self._handles: dict[Path, object] = {}

    def _resolve(self, filename: str) -> Path:
        if self.script_output is None:
            raise ScriptError("helpers.write_file: this engine runs without a script-output folder (pass script_output=...)")
        if not isinstance(filename, str) or not filename:
            raise ScriptError("helpers.write_file: filename must be a non-empty string")
        rel = PurePosixPath(filename.replace("\\", "/"))
        if rel.is_absolute() or ".." in rel.parts:
            raise ScriptError(f"helpers.write_file: {filename!r} must stay inside script-output (no '..' or absolute paths)")
        return self.script_output.joinpath(*rel.parts)

    def write_file(self, filename: str, text: str, append: bool) -> None:
        path = self._resolve(filename)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a" if append else "w", encoding="utf-8") as f:
            f.write(text)

    def remove_path(self, filename: str) -> None:
        path = self._resolve(filename)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()

    def send_udp(self, port: int, text: str) -> None:
        if self._sock is None:
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._sock.sendto(text.encode("utf-8"), (_UDP_HOST, port))
            self.udp_sent += 1
        except OSError as e:
            # UDP is fire-and-forget in the game too; the mods keep a disk log for what gets lost.
            self.udp_errors += 1
            log.warning("UDP send to port %s failed: %s", port, e)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
