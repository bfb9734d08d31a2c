"""The runtime's default time limits, apart from the kernel code so that `fv --help` need not load jupyter_client."""

from __future__ import annotations

__all__ = ["DEFAULT_TIMEOUT", "INTERRUPT_GRACE"]

# Seconds one program may run unless run() is told otherwise: long enough for a walk across a starting area.
DEFAULT_TIMEOUT = 60.0
# After the interrupt, how long a program gets to stop before its kernel is replaced.
INTERRUPT_GRACE = 5.0
