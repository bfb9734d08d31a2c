"""LuaForce.is_friend / is_enemy as the game's force conditions, get_entity_count, and the force's players."""

from __future__ import annotations

from factoryverse.engine.engine import Engine


def _run(game: Engine, code: str) -> str:
    return game.execute_command("/sc local f = game.forces.player " + code)


def test_friend_and_enemy_follow_set_friend_and_cease_fire() -> None:
    game = Engine(seed=1, mods=[], starting_chunks=1)
    _run(game, "game.create_force('other')")
    assert _run(game, "rcon.print(tostring(f.is_friend(f)) .. ' ' .. tostring(f.is_enemy('other')) .. ' ' .. "
                      "tostring(f.is_enemy('neutral')) .. ' ' .. tostring(f.is_friend('other')))") == "true true false false"
    _run(game, "f.set_cease_fire('other', true)")
    assert _run(game, "rcon.print(tostring(f.is_enemy('other')))") == "false"
    _run(game, "f.set_friend(game.forces.other, true)")
    assert _run(game, "rcon.print(tostring(f.is_friend(game.forces.other.index)))") == "true"
    reply = _run(game, "f.is_enemy('nobody')")
    assert reply.startswith("Cannot execute command") and "Given force doesn't exist: nobody" in reply


def test_entity_count_is_the_forces_own_entities_of_that_name() -> None:
    game = Engine(seed=1, mods=[], starting_chunks=1)
    before = int(_run(game, "rcon.print(f.get_entity_count('wooden-chest'))"))
    _run(game, "game.create_force('other') local s = game.surfaces.nauvis "
               "s.create_entity{name='wooden-chest', position={100.5, 100.5}, force='player'} "
               "s.create_entity{name='wooden-chest', position={102.5, 100.5}, force='player'} "
               "s.create_entity{name='wooden-chest', position={104.5, 100.5}, force='other'}")
    assert int(_run(game, "rcon.print(f.get_entity_count('wooden-chest'))")) == before + 2
    assert _run(game, "rcon.print(f.get_entity_count(prototypes.entity['iron-chest']))") == "0"
    assert "Unknown entity name: nope" in _run(game, "f.get_entity_count('nope')")
    assert _run(game, "rcon.print(#f.players .. ' ' .. #f.connected_players)") == "0 0"


def test_print_goes_to_the_servers_log_tagged_with_the_force() -> None:
    game = Engine(seed=1, mods=[], starting_chunks=1)
    reply = _run(game, "f.print({'', 'power ', 42})")
    assert not reply.startswith("Cannot execute command"), reply
    assert game.log_lines[-1] == "[force.print player] power 42"
