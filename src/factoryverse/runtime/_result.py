"""What one program run gives back, and the size limit on its output."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RunResult", "OutputBuffer", "DEFAULT_MAX_OUTPUT"]

# Characters kept per stream. A language model reads the result, and a program that prints in a loop would
# otherwise fill its context (and the terminal) with one cell's output.
DEFAULT_MAX_OUTPUT = 20_000


@dataclass(frozen=True)
class RunResult:
    """The outcome of one program: its output as text, and whether it ran to its end.

    `stdout` also holds the value of a last bare expression, as a Python prompt shows it. `error` is the
    exception as text (its type, message and the lines of the program it passed through) or None;
    `truncated` says an output went over the limit and was cut (the cut text carries a label saying how much
    is missing); `timed_out` says the program was stopped at its time limit; `restarted` says the runtime had
    to start a new kernel (a program that could not be interrupted, or one that killed its own process), so
    variables defined before were lost.
    """

    stdout: str
    stderr: str
    error: str | None
    truncated: bool = False
    timed_out: bool = False
    restarted: bool = False
    execution_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    def text(self) -> str:
        """Everything in one text, as a terminal shows it: output, then error output, then the error."""
        parts = [self.stdout, self.stderr]
        if self.error is not None:
            parts.append(self.error if self.error.endswith("\n") else self.error + "\n")
        return "".join(p for p in parts if p)


class OutputBuffer:
    """Keeps the first `limit` characters of a stream and counts the rest, so megabytes of print cost no memory."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._parts: list[str] = []
        self._kept = 0
        self.dropped = 0

    def write(self, text: str) -> None:
        room = self.limit - self._kept
        if room > 0:
            piece = text[:room]
            self._parts.append(piece)
            self._kept += len(piece)
        self.dropped += max(0, len(text) - max(room, 0))

    @property
    def truncated(self) -> bool:
        return self.dropped > 0

    def value(self, name: str) -> str:
        text = "".join(self._parts)
        if not self.dropped:
            return text
        if not text.endswith("\n"):
            text += "\n"
        return text + (
            f"[{name} truncated: {self.dropped:,} more characters not shown; the limit is {self.limit:,} "
            "characters per program. Print less, or summarise, e.g. print(len(items), items[:10])]\n"
        )
