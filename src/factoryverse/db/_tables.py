"""The map database's tables: every column with its type and its meaning (the seed's schema, by its names).

Types in braces are the game's name ENUMs ({resource}, {placeable_entity}, {recipe}, {direction}, {status}); a
database created without the game's names gets VARCHAR there. Geometry lies on the integer tile grid: a tile is
the unit square [x, x+1] x [y, y+1], an entity's bbox the tile-aligned envelope of its collision box.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Table", "RAW_TABLES", "ENTITY_TABLES", "STATE_TABLES", "TABLES", "RTREES", "ENUMS",
           "DIRECTIONS"]

# defines.direction of Factorio 2.0 and 2.1 in value order (the wire format sends the value, 0..15).
DIRECTIONS = (
    "north", "northnortheast", "northeast", "eastnortheast", "east", "eastsoutheast", "southeast", "southsoutheast",
    "south", "southsouthwest", "southwest", "westsouthwest", "west", "westnorthwest", "northwest", "northnorthwest",
)

# ENUM type -> what its members are.
ENUMS = {
    "resource": "resource entity names (prototypes.entity of type resource)",
    "placeable_entity": "entity names placeable from an item (items_to_place_this), plus entity-ghost",
    "recipe": "recipe names (prototypes.recipe)",
    "direction": "defines.direction names, lower case",
    "status": "defines.entity_status names",
}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str, str], ...]  # (column, type and constraints, meaning)
    constraint: str = ""                       # table constraint, e.g. a composite primary key
    comment: str = ""

    def ddl(self, types: dict[str, str]) -> str:
        cols = [f"{col} {kind.format(**types)}" for col, kind, _ in self.columns]
        if self.constraint:
            cols.append(self.constraint)
        return ", ".join(cols)


_KEY = ("entity_key", "BIGINT PRIMARY KEY", "the entity's unit_number (map_entity.entity_key)")
_POINT = "STRUCT(x DOUBLE, y DOUBLE)"

RAW_TABLES = (
    Table("chunk", (
        ("surface", "VARCHAR NOT NULL", "surface name"),
        ("cx", "INTEGER NOT NULL", "chunk x (32 tiles per chunk)"),
        ("cy", "INTEGER NOT NULL", "chunk y"),
        ("charted_tick", "BIGINT", "tick the chunk was charted (snapshot or chunk_charted)"),
        ("area", "GEOMETRY NOT NULL", "the chunk's square [32cx, 32cx+32] x [32cy, 32cy+32]"),
    ), "PRIMARY KEY (surface, cx, cy)", "charted chunks: the map the database covers"),
    Table("resource_tile", (
        ("surface", "VARCHAR NOT NULL", "surface name"),
        ("name", "{resource} NOT NULL", "resource entity name (iron-ore, crude-oil, ...)"),
        ("x", "INTEGER NOT NULL", "tile x (left edge)"),
        ("y", "INTEGER NOT NULL", "tile y (top edge)"),
        ("amount", "BIGINT NOT NULL", "resource amount left on the tile"),
        ("geom", "GEOMETRY NOT NULL", "the 1x1 tile square [x, x+1] x [y, y+1]"),
    ), comment="one row per ore tile"),
    Table("resource_entity", (
        ("surface", "VARCHAR NOT NULL", "surface name"),
        ("name", "VARCHAR NOT NULL", "tree or rock prototype name"),
        ("entity_type", "VARCHAR NOT NULL", "tree or simple-entity"),
        ("x", "DOUBLE NOT NULL", "position x (map tiles)"),
        ("y", "DOUBLE NOT NULL", "position y"),
        ("position", "GEOMETRY NOT NULL", "position as a point"),
        ("bbox", "GEOMETRY NOT NULL", "collision box"),
    ), comment="trees and rocks: mineable obstacles without a unit number"),
    Table("water_tile", (
        ("surface", "VARCHAR NOT NULL", "surface name"),
        ("name", "VARCHAR NOT NULL", "tile prototype name (water, deepwater, ...)"),
        ("x", "INTEGER NOT NULL", "tile x (left edge)"),
        ("y", "INTEGER NOT NULL", "tile y (top edge)"),
        ("geom", "GEOMETRY NOT NULL", "the 1x1 tile square [x, x+1] x [y, y+1]"),
    ), comment="one row per water tile"),
)

ENTITY_TABLES = (
    Table("map_entity", (
        _KEY,
        ("entity_name", "{placeable_entity} NOT NULL", "entity prototype name"),
        ("entity_type", "VARCHAR NOT NULL", "entity prototype type (container, inserter, ...)"),
        ("surface", "VARCHAR NOT NULL", "surface name"),
        ("position", f"{_POINT} NOT NULL", "centre in map tiles; ST_Point(position.x, position.y) makes a point"),
        ("bbox", "GEOMETRY NOT NULL", "tile-aligned envelope of the collision box (floor left/top, ceil right/bottom)"),
        ("direction", "{direction} NOT NULL", "facing (defines.direction name)"),
        ("force", "VARCHAR NOT NULL", "owning force"),
        ("electric_network_id", "BIGINT", "electric network it is connected to; NULL when none"),
        ("built_tick", "BIGINT", "tick of the entity_built delta; NULL for entities already in the snapshot"),
    ), comment="every placed entity except ghosts (see ghost)"),
    Table("entity_status", (
        _KEY,
        ("status", "{status} NOT NULL", "defines.entity_status name (working, no_power, no_fuel, ...)"),
        ("tick", "BIGINT NOT NULL", "tick the status was read"),
    ), comment="the status of entities that report one"),
    Table("inserter", (
        _KEY,
        ("pickup_position", f"{_POINT} NOT NULL", "where it picks items up"),
        ("drop_position", f"{_POINT} NOT NULL", "where it drops items"),
        ("pickup_target", "BIGINT", "entity_key it picks up from; NULL when none"),
        ("drop_target", "BIGINT", "entity_key it drops into; NULL when none"),
        ("filters", "VARCHAR[]", "item filters set; NULL when none"),
        ("filter_mode", "VARCHAR", "whitelist or blacklist; NULL when it has no filter slots"),
    ), comment="inserters and what they connect"),
    Table("transport_belt", (
        _KEY,
        ("direction", "{direction} NOT NULL", "travel direction"),
        ("input_keys", "BIGINT[]", "belts feeding into it (LuaEntity.belt_neighbours.inputs); NULL when none"),
        ("output_keys", "BIGINT[]", "belts it feeds (belt_neighbours.outputs); NULL when none"),
    ), comment="transport belts, underground belts and splitters"),
    Table("electric_pole", (
        _KEY,
        ("supply_area", "GEOMETRY NOT NULL", "the square it powers entities in"),
        ("connections", "BIGINT[]", "poles its copper wires reach; NULL when none"),
    ), comment="electric poles"),
    Table("mining_drill", (
        _KEY,
        ("mining_area", "GEOMETRY NOT NULL", "the area it mines"),
        ("mining_target", "{resource}", "resource it mines now; NULL when none"),
        ("output_position", _POINT, "where it drops what it mines; NULL for fluid output (pumpjacks)"),
        ("output_target", "BIGINT", "entity_key it drops into; NULL when none"),
    ), comment="mining drills"),
    Table("assemblers", (
        _KEY,
        ("recipe", "{recipe}", "recipe set; NULL when none"),
        ("crafting_progress", "DOUBLE", "progress of the current craft, 0..1"),
    ), comment="assembling machines"),
    Table("furnace", (
        _KEY,
        ("recipe", "{recipe}", "recipe it smelts now; NULL when idle"),
        ("crafting_progress", "DOUBLE", "progress of the current craft, 0..1"),
    ), comment="furnaces"),
    Table("container", (
        _KEY,
        ("contents", "MAP(VARCHAR, BIGINT) NOT NULL", "item name -> count in its chest inventory"),
    ), comment="chests"),
    Table("entity_inventory", (
        ("entity_key", "BIGINT NOT NULL", "the entity's key (map_entity.entity_key)"),
        ("inventory", "VARCHAR NOT NULL", "defines.inventory name (chest, fuel, furnace_source, ...)"),
        ("item", "VARCHAR NOT NULL", "item name"),
        ("count", "BIGINT NOT NULL", "how many"),
    ), comment="every entity's inventories, one row per item held"),
    Table("burner", (
        _KEY,
        ("burning", "VARCHAR", "fuel item burning now; NULL when none"),
        ("remaining_energy", "DOUBLE NOT NULL", "energy left in the burning fuel (J)"),
    ), comment="entities with a burner energy source"),
    Table("fluid_box", (
        ("entity_key", "BIGINT NOT NULL", "the entity's key (map_entity.entity_key)"),
        ("index", "INTEGER NOT NULL", "fluid box index, from 1"),
        ("fluid", "VARCHAR NOT NULL", "fluid name"),
        ("amount", "DOUBLE NOT NULL", "fluid amount"),
        ("temperature", "DOUBLE", "fluid temperature"),
    ), comment="non-empty fluid boxes"),
    Table("ghost", (
        _KEY,
        ("ghost_name", "{placeable_entity}", "the entity the ghost will become"),
        ("ghost_type", "VARCHAR", "that entity's prototype type"),
        ("surface", "VARCHAR NOT NULL", "surface name"),
        ("position", f"{_POINT} NOT NULL", "centre in map tiles"),
        ("bbox", "GEOMETRY NOT NULL", "tile-aligned envelope of the collision box"),
        ("direction", "{direction} NOT NULL", "facing"),
        ("force", "VARCHAR NOT NULL", "owning force"),
        ("recipe", "VARCHAR", "recipe the built machine will have; NULL when none"),
    ), comment="entity ghosts: planned buildings"),
)

STATE_TABLES = (
    Table("technology", (
        ("force", "VARCHAR NOT NULL", "force name"),
        ("name", "VARCHAR NOT NULL", "technology name"),
        ("researched", "BOOLEAN NOT NULL", "researched; false for the current and queued technologies"),
    ), "PRIMARY KEY (force, name)", "technologies researched, current or queued, per force"),
    Table("research", (
        ("force", "VARCHAR PRIMARY KEY", "force name"),
        ("current", "VARCHAR", "technology being researched; NULL when none"),
        ("progress", "DOUBLE NOT NULL", "progress of the current research, 0..1"),
        ("queue", "VARCHAR[]", "research queue; NULL when empty"),
        ("tick", "BIGINT NOT NULL", "tick of the record"),
    ), comment="each force's research"),
)

# The derived tables (resource_patch, water_patch, belt_line, power_network) are defined in db/derived.
TABLES = RAW_TABLES + ENTITY_TABLES + STATE_TABLES

RTREES = (
    ("resource_tile", "geom"), ("resource_entity", "bbox"), ("water_tile", "geom"), ("map_entity", "bbox"),
    ("ghost", "bbox"),
)
