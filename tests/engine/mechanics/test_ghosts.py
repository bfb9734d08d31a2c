"""Entity and tile ghosts: creation from `inner_name`, their collision (the `ghost` layer only), the ghost search
filters, `revive`/`silent_revive` (free, blocked, over items on the ground) and saves."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import state_hash
from tests.engine.mechanics.conftest import clear_land, lua


def _err(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc local s = game.surfaces.nauvis " + code)
    assert reply.startswith("Cannot execute command"), reply
    return reply


def _ghost(engine: Engine, inner: str, x: float, y: float, extra: str = "") -> None:
    lua(engine, f"storage.g = s.create_entity{{name = 'entity-ghost', inner_name = '{inner}', position = {{{x}, {y}}}, "
        f"force = 'player'{extra}}}")


@pytest.fixture
def land(engine: Engine) -> Engine:
    clear_land(engine, -10, -10, 10, 10)
    return engine


def test_an_entity_ghost_reads_as_its_inner_entity_where_the_api_says_so(land, protos):
    _ghost(land, "burner-mining-drill", 0.3, 0.3)
    reply = lua(land, "local g = storage.g local bb = g.bounding_box rcon.print(serpent.line{g.name, g.type, "
                "g.ghost_name, g.ghost_type, g.ghost_prototype.name, g.ghost_unit_number, g.unit_number ~= nil, "
                "g.position, string.format('%.4f %.4f %.4f %.4f', bb.left_top.x, bb.left_top.y, bb.right_bottom.x, "
                "bb.right_bottom.y)})")
    # A 2x2 drill snaps to the tile corner, and the ghost takes its box (burner-mining-drill.collision_box).
    (l, t), (r, b) = protos.raw["mining-drill"]["burner-mining-drill"]["collision_box"]
    assert reply == (
        '{"entity-ghost", "entity-ghost", "burner-mining-drill", "mining-drill", "burner-mining-drill", nil, true, '
        f'{{x = 0, y = 0}}, "{l:.4f} {t:.4f} {r:.4f} {b:.4f}"}}'
    )


def test_a_tile_ghost_covers_a_tile_and_has_no_unit_number(land):
    reply = lua(land, "local g = s.create_entity{name = 'tile-ghost', inner_name = 'stone-path', position = {2.2, 3.9}, "
                "force = 'player'} rcon.print(serpent.line{g.ghost_name, g.ghost_type, g.ghost_prototype.name, "
                "g.unit_number, g.position})")
    assert reply == '{"stone-path", "tile", "stone-path", nil, {x = 2.5, y = 3.5}}'
    assert "Entity is not entity ghost." in _err(land, "rcon.print(s.find_entities_filtered{type = 'tile-ghost'}[1].ghost_unit_number)")


def test_bad_inner_names_get_the_games_errors_and_create_nothing(land):
    before = land.world._unit_numbers
    assert "Unknown entity name: no-such-thing" in _err(
        land, "s.create_entity{name = 'entity-ghost', inner_name = 'no-such-thing', position = {0, 0}}")
    assert "value for required field 'inner_name' is missing" in _err(
        land, "s.create_entity{name = 'entity-ghost', position = {0, 0}}")
    assert "Unknown tile name: no-such-tile" in _err(
        land, "s.create_entity{name = 'tile-ghost', inner_name = 'no-such-tile', position = {0, 0}}")
    assert "Unknown entity name: nope" in _err(
        land, "s.can_place_entity{name = 'entity-ghost', inner_name = 'nope', position = {0, 0}}")
    assert land.world._unit_numbers == before
    assert lua(land, "rcon.print(s.count_entities_filtered{type = {'entity-ghost', 'tile-ghost'}})") == "0"


def test_other_entities_answer_the_ghost_members_with_an_error(land):
    lua(land, "storage.c = s.create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'}")
    assert "Entity is not ghost." in _err(land, "rcon.print(storage.c.ghost_name)")
    assert "Entity is not ghost." in _err(land, "storage.c.revive()")
    assert "Entity is not ghost." in _err(land, "storage.c.silent_revive{}")


def test_ghosts_collide_with_ghosts_and_buildings_not_with_items_or_characters(land):
    _ghost(land, "wooden-chest", 0.5, 0.5)
    can = "rcon.print(s.can_place_entity{{name = {name}, position = {{{x}, {y}}}, force = 'player'{extra}}})"
    chest_ghost = dict(name="'entity-ghost'", extra=", inner_name = 'wooden-chest'")
    assert lua(land, can.format(x=0.5, y=0.5, **chest_ghost)) == "false"  # another ghost there
    assert lua(land, can.format(x=1.5, y=0.5, **chest_ghost)) == "true"  # the next tile is free
    # A real building may go over a ghost: it has no `ghost` layer.
    assert lua(land, can.format(name="'wooden-chest'", x=0.5, y=0.5, extra="")) == "true"
    lua(land, "s.create_entity{name = 'iron-chest', position = {3.5, 0.5}, force = 'player'}")
    assert lua(land, can.format(x=3.5, y=0.5, **chest_ghost)) == "false"  # a building blocks a ghost
    lua(land, "s.create_entity{name = 'item-on-ground', position = {5.5, 0.5}, stack = {name = 'iron-plate', count = 5}}")
    assert lua(land, can.format(x=5.5, y=0.5, **chest_ghost)) == "true"  # items on the ground don't
    land.world.surfaces["nauvis"].set_tile(7, 0, "water")
    assert lua(land, can.format(x=7.5, y=0.5, **chest_ghost)) == "false"  # water blocks it as it blocks the chest
    # A character walks through a ghost: the character's mask has no `ghost` layer.
    assert lua(land, can.format(name="'character'", x=0.5, y=0.5, extra="")) == "true"


def test_revive_builds_the_entity_and_returns_the_documented_values(land):
    lua(land, "storage.ev = {} script.on_event(defines.events.script_raised_revive, function(e) "
        "storage.ev[#storage.ev + 1] = e.entity.name .. ' ' .. serpent.line(e.tags) end)")
    _ghost(land, "stone-furnace", 0.3, 0.3, ", tags = {note = 'smelt'}, direction = defines.direction.east")
    reply = lua(land, "local g = storage.g local items, e, proxy = g.revive{raise_revive = true} "
                "rcon.print(serpent.line{items, e.name, e.type, e.position, e.direction, e.force.name, proxy, g.valid})")
    assert reply == '{{}, "stone-furnace", "furnace", {x = 0, y = 0}, 4, "player", nil, false}'
    assert lua(land, "rcon.print(table.concat(storage.ev, ';'))") == 'stone-furnace {note = "smelt"}'
    assert lua(land, "rcon.print(s.count_entities_filtered{type = 'entity-ghost'})") == "0"


def test_silent_revive_raises_nothing_unless_asked(land):
    lua(land, "storage.n = 0 script.on_event(defines.events.script_raised_revive, function() storage.n = storage.n + 1 end)")
    _ghost(land, "wooden-chest", 0.5, 0.5)
    assert lua(land, "local _, e = storage.g.silent_revive() rcon.print(e.name)") == "wooden-chest"
    assert lua(land, "rcon.print(storage.n)") == "0"


def test_revive_picks_up_the_items_it_would_stand_on(land):
    lua(land, "s.create_entity{name = 'item-on-ground', position = {0.5, 0.5}, stack = {name = 'iron-plate', count = 5}} "
        "s.create_entity{name = 'item-on-ground', position = {0.3, 0.7}, stack = {name = 'iron-plate', count = 2}} "
        "storage.inv = s.create_entity{name = 'wooden-chest', position = {8.5, 8.5}, force = 'player'}"
        ".get_inventory(defines.inventory.chest)")
    _ghost(land, "wooden-chest", 0.5, 0.5)
    reply = lua(land, "local items, e = storage.g.revive{overflow = storage.inv} "
                "rcon.print(serpent.line{items, e.name, storage.inv.get_item_count('iron-plate')})")
    assert reply == '{{["iron-plate"] = 7}, "wooden-chest", 7}'
    assert lua(land, "rcon.print(s.count_entities_filtered{name = 'item-on-ground'})") == "0"


def test_revive_fails_and_keeps_the_ghost_where_the_spot_is_blocked(land):
    _ghost(land, "wooden-chest", 0.5, 0.5)
    lua(land, "storage.c = s.create_entity{name = 'iron-chest', position = {0.5, 0.5}, force = 'player'}")
    units = land.world._unit_numbers
    assert lua(land, "local items, e, p = storage.g.revive() rcon.print(serpent.line{items, e, p, storage.g.valid})") == "{nil, nil, nil, true}"
    assert land.world._unit_numbers == units  # nothing was built
    lua(land, "storage.c.destroy()")
    assert lua(land, "local _, e = storage.g.revive() rcon.print(e.name)") == "wooden-chest"


def test_a_tile_ghost_revives_into_its_tile(land):
    lua(land, "storage.t = {} script.on_event(defines.events.script_raised_set_tiles, function(e) "
        "storage.t[#storage.t + 1] = e.tiles[1].name .. ' ' .. e.tiles[1].position.x .. ',' .. e.tiles[1].position.y end) "
        "storage.g = s.create_entity{name = 'tile-ghost', inner_name = 'concrete', position = {3.5, -2.5}, force = 'player'}")
    assert lua(land, "rcon.print(serpent.line{#s.find_tiles_filtered{area = {{-10, -10}, {10, 10}}, has_tile_ghost = true}, "
               "#s.find_tiles_filtered{area = {{3, -3}, {5, -1}}, has_tile_ghost = false}})") == "{1, 3}"
    assert lua(land, "local items, e = storage.g.revive{raise_revive = true} rcon.print(serpent.line{items, e})") == "{{}}"
    assert lua(land, "rcon.print(s.get_tile(3, -3).name)") == "concrete"
    assert lua(land, "rcon.print(table.concat(storage.t, ';'))") == "concrete 3,-3"
    assert lua(land, "rcon.print(#s.find_tiles_filtered{area = {{-10, -10}, {10, 10}}, has_tile_ghost = true})") == "0"


def test_ghost_filters_find_by_inner_name_and_type_in_scan_order(land):
    for i, inner in enumerate(["wooden-chest", "iron-chest", "stone-furnace", "wooden-chest"]):
        _ghost(land, inner, -8.5 + 3 * i, 0.5)
    lua(land, "s.create_entity{name = 'wooden-chest', position = {5.5, 5.5}, force = 'player'} "
        "s.create_entity{name = 'tile-ghost', inner_name = 'stone-path', position = {6.5, 6.5}, force = 'player'}")
    xs = "local out = {} for _, e in pairs(s.find_entities_filtered{FILTER}) do out[#out + 1] = e.position.x end rcon.print(serpent.line(out))"
    assert lua(land, xs.replace("FILTER", "ghost_name = 'wooden-chest'")) == "{-8.5, 0.5}"
    assert lua(land, xs.replace("FILTER", "ghost_type = 'container'")) == "{-8.5, -5.5, 0.5}"
    assert lua(land, xs.replace("FILTER", "ghost_type = 'container', limit = 2")) == "{-8.5, -5.5}"
    assert lua(land, xs.replace("FILTER", "ghost_name = {'stone-furnace', 'stone-path'}")) == "{-2, 6.5}"
    assert lua(land, xs.replace("FILTER", "ghost_type = 'tile'")) == "{6.5}"
    area = "area = {{-10, -10}, {10, 10}}"
    # Inverted: everything in the area that is not a wooden-chest ghost (the real chest included).
    assert lua(land, f"rcon.print(s.count_entities_filtered{{{area}, ghost_name = 'wooden-chest', invert = true}})") == "4"
    assert lua(land, f"rcon.print(s.count_entities_filtered{{{area}, name = 'wooden-chest', ghost_name = 'wooden-chest'}})") == "0"


def test_ghosts_and_their_state_continue_exactly_across_save_load_and_fork(tmp_path):
    game = Engine(seed=3, mods=[], starting_chunks=1)
    clear_land(game, -8, -8, 8, 8)
    lua(game, "storage.a = s.create_entity{name = 'entity-ghost', inner_name = 'burner-mining-drill', position = {0, 0}, "
        "force = 'player', direction = defines.direction.south, tags = {k = 1}} "
        "storage.b = s.create_entity{name = 'tile-ghost', inner_name = 'concrete', position = {4.5, 4.5}, force = 'player'}")
    before = state_hash(game)
    loaded = Engine.load(game.save(tmp_path, "ghosts"), mods=[])
    forked = game.fork()
    assert state_hash(loaded) == state_hash(game) == state_hash(forked) == before
    read = ("rcon.print(serpent.line{storage.a.ghost_name, storage.a.direction, storage.a.bounding_box, "
            "storage.b.ghost_name, s.count_entities_filtered{ghost_type = 'mining-drill'}})")
    for g in (loaded, forked):
        assert lua(g, read) == lua(game, read)
    for g in (game, loaded, forked):
        g.run_ticks(30)
        lua(g, "storage.a.revive() storage.b.revive()")
        g.run_ticks(30)
    assert state_hash(loaded) == state_hash(game) == state_hash(forked) != before
    assert lua(loaded, "rcon.print(s.get_tile(4, 4).name)") == "concrete"
