"""Electricity for electric machines on any server: an electric-energy-interface and a small pole whose supply
area covers the tiles (5..7, 3..7) of a test's area (the engine runs electric machines at full power anyway; the
game needs the network)."""

from __future__ import annotations

from .harness import Area, Game

# Ticks for the network to fill the machines' buffers before a measurement starts.
WARM_UP = 60


def power(game: Game, area: Area, force: str = "player") -> None:
    game.lua("local s = game.surfaces[1] "
             f"s.create_entity{{name = 'electric-energy-interface', position = {area.pos(3, 3)}, force = '{force}'}} "
             f"s.create_entity{{name = 'small-electric-pole', position = {area.pos(4.5, 4.5)}, force = '{force}'}}")
