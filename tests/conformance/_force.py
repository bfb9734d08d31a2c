"""A force of the suite's own, so that research and charting tests neither read nor change the player force of a
server someone plays on; made once and reused by later runs (a game has room for 64 forces)."""

from __future__ import annotations

from .harness import Game

FORCE = "fv-conformance"


def own_force(game: Game) -> str:
    """The suite's force, with nothing charted on the first surface and no research going on; its Lua name."""
    game.lua(f"local f = game.forces['{FORCE}'] or game.create_force('{FORCE}') "
             "f.cancel_current_research() f.research_queue = {} f.clear_chart(game.surfaces[1])")
    return f"game.forces['{FORCE}']"
