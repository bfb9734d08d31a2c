"""Prototype names read from the running game: what the map database turns into ENUM types."""

from __future__ import annotations

from factoryverse.engine.prototypes import load_prototypes

from .conftest import Game, run


def test_prototype_names_are_the_games_entities_by_type(game: Game):
    async def scenario():
        async with game.client() as client:
            return await client.prototype_names()

    names = run(scenario())
    raw = load_prototypes().raw  # the same base-game data the engine serves
    assert names["resource"] == sorted(raw["resource"])
    assert "burner-mining-drill" in names["mining-drill"]
    assert names["furnace"] == sorted(raw["furnace"])
    assert all(group == sorted(group) for group in names.values())
