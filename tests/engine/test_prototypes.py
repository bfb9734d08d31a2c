"""The prototype data: the base game's data.raw from draftsman's data stage, cached and reduced."""

from __future__ import annotations

import pytest

from factoryverse.engine.prototypes import cache_path, load_prototypes, parse_energy


def test_base_game_only_no_space_age():
    """Regression: draftsman enabled its bundled space-age, quality and elevated-rails data unless told not to."""
    raw = load_prototypes().raw
    assert sorted(raw["resource"]) == ["coal", "copper-ore", "crude-oil", "iron-ore", "stone", "uranium-ore"]
    assert "calcite" not in raw["resource"] and "tungsten-ore" not in raw["resource"]
    assert "quality" not in raw or set(raw["quality"]) <= {"normal", "quality-unknown"}
    assert "recycler" not in raw.get("furnace", {})


def test_values_are_the_games():
    """burner-mining-drill.mining_speed, stone-furnace.crafting_speed, iron-ore.minable.mining_time, coal.fuel_value"""
    p = load_prototypes()
    assert p.raw["mining-drill"]["burner-mining-drill"]["mining_speed"] == 0.25
    assert p.raw["furnace"]["stone-furnace"]["crafting_speed"] == 1
    assert p.raw["resource"]["iron-ore"]["minable"]["mining_time"] == 1
    assert parse_energy(p.items["coal"]["fuel_value"]) == 4e6
    assert p.raw["character"]["character"]["mining_speed"] == 0.5


def test_collision_masks_get_cores_defaults():
    """A prototype without collision_mask gets core's default for its type, as the game fills it."""
    p = load_prototypes()
    assert p.entities["stone-furnace"]["collision_mask"]["layers"]["water_tile"] is True
    assert set(p.entities["iron-ore"]["collision_mask"]["layers"]) == {"resource"}
    assert p.tiles["water"]["collision_mask"]["layers"]["water_tile"] is True


def test_graphics_are_dropped_from_the_cache():
    drill = load_prototypes().raw["mining-drill"]["burner-mining-drill"]
    assert not any("animation" in k or "picture" in k or "sound" in k for k in drill)


def test_cache_is_keyed_by_draftsman_version():
    from draftsman import __version__

    assert __version__ in cache_path().name and cache_path().exists()


@pytest.mark.parametrize(("text", "value"), [("150kW", 150e3), ("4MJ", 4e6), ("90kW", 90e3), ("2.5GJ", 2.5e9)])
def test_parse_energy(text, value):
    assert parse_energy(text) == value


def test_parse_energy_rejects_garbage():
    with pytest.raises(ValueError, match="not a Factorio energy string"):
        parse_energy("lots")
