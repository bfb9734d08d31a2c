"""Deterministic Nauvis-like map generation, one 32x32 chunk at a time.

A chunk is a pure function of (seed, settings, cx, cy): every field is seeded noise or a hash of global tile
coordinates, and decoratives near a chunk border are settled by a rule that looks only at nearby candidates
(see ``_place_decoratives``), so chunks can be generated in any order and still join without seams.

The starting area follows Factorio's promise to a new player: dry land around the spawn, one patch each of
iron ore, copper ore, coal and stone within a short walk, and a spawn clear of trees and rocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

from factoryverse.engine.prototypes import PrototypeData, load_prototypes
from factoryverse.engine.world._noise import coarse_fields, fbm_block, hash_unit, mix_seed

__all__ = [
    "CHUNK_SIZE", "ChunkData", "MapGenSettings", "MapGenerator", "MapGenError", "StartingPatch",
    "LAND_TILES", "WATER_TILES", "RESOURCES", "TREES", "ROCKS",
]

CHUNK_SIZE = 32

# Nauvis tiles (data.raw.tile, subgroup "nauvis-tiles"): rows from wettest to driest moisture band, columns by the
# auxiliary noise that separates red desert (low) from sand (high).
_LAND_TABLE: tuple[tuple[str, ...], ...] = (
    ("grass-1", "grass-1", "grass-1", "grass-2"),
    ("grass-2", "grass-2", "grass-3", "grass-3"),
    ("grass-3", "grass-4", "grass-4", "dirt-1"),
    ("red-desert-0", "dirt-2", "dirt-3", "sand-1"),
    ("red-desert-1", "dirt-4", "dirt-5", "sand-2"),
    ("red-desert-2", "dry-dirt", "dirt-6", "sand-3"),
)
_MOISTURE_BANDS = (0.18, 0.06, -0.04, -0.14, -0.24)
_AUX_BANDS = (-0.15, 0.0, 0.15)
LAND_TILES: tuple[str, ...] = tuple(sorted({t for row in _LAND_TABLE for t in row}))
WATER_TILES: tuple[str, ...] = ("water", "deepwater")
RESOURCES: tuple[str, ...] = ("iron-ore", "copper-ore", "coal", "stone")

# Nauvis trees (data.raw.tree, order "a[tree]-a[nauvis]-..."), grouped by the moisture they grow in.
_TREE_GROUPS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (0.05, ("tree-01", "tree-02", "tree-02-red", "tree-03", "tree-04", "tree-05")),
    (-0.08, ("tree-06", "tree-06-brown", "tree-07", "tree-08", "tree-08-brown", "tree-08-red", "tree-09",
             "tree-09-brown", "tree-09-red")),
    (-0.18, ("dry-tree", "dry-hairy-tree", "dead-dry-hairy-tree", "dead-grey-trunk")),
    (-2.0, ("dead-tree-desert", "dead-grey-trunk")),
)
TREES: tuple[str, ...] = tuple(sorted({t for _, group in _TREE_GROUPS for t in group}))
# Nauvis rocks (data.raw["simple-entity"], order "a[decorative]-l[rock]-a[nauvis]-...").
ROCKS: tuple[str, ...] = ("big-rock", "big-sand-rock", "huge-rock")

_CAT_WATER, _CAT_GREEN, _CAT_DRY, _CAT_DESERT = 0, 1, 2, 3

# Starting patches: radius in tiles and amount at the centre. Every tile closer than (1 - _SHAPE_AMP) * radius is
# always in the patch, so the smallest (stone, 8) has at least 60 tiles.
_START_PATCHES = {"iron-ore": (10.0, 2400), "copper-ore": (9.0, 2200), "coal": (9.0, 2000), "stone": (8.0, 1600)}
_SHAPE_AMP = 0.45
_RES_WEIGHTS = (("iron-ore", 0.30), ("copper-ore", 0.27), ("coal", 0.23), ("stone", 0.20))
_RES_BASE_RADIUS = 11.0
_RES_BASE_PEAK = 2000.0
_RES_CELL_MIN = 128
_ROCK_CHANCE = 0.0008  # per land tile: about one rock per chunk
_TREE_CHANCE_MIN = 0.015  # per land tile, outside forests
_TREE_CHANCE_FOREST = 0.25  # added deep in a forest; spacing thins dense candidates anyway

_PAD = 3  # tiles of neighbouring chunks looked at: the widest spacing box (huge-rock, 3 wide) plus jitter
_JITTER = 1.0 / 256.0  # Factorio positions are fixed point in 1/256 tile
_INV_2_32 = 1.0 / (1 << 32)


class MapGenError(ValueError):
    """Invalid map generation input (seed or settings)."""


@dataclass(frozen=True, slots=True)
class MapGenSettings:
    """Knobs of the map generator; the defaults give a Nauvis-like map with a Factorio-like starting area.

    water: lake coverage multiplier (0 = no water at all, 1 = about a tenth of the map, 2 = about a fifth).
    water_scale: size of lakes (2 = lakes twice as wide and half as frequent).
    resource_frequency: chance multiplier that a 128x128 region outside the starting area holds an ore patch.
    resource_size: area multiplier of patches outside the starting area.
    resource_richness: amount multiplier of every ore tile, starting patches included.
    tree_density: multiplier of the chance of a tree per tile (0 = no trees).
    rock_density: multiplier of the chance of a rock per tile (0 = no rocks).
    starting_area_radius: radius (tiles) holding the four starting patches, at 0.45-0.7 of it from the spawn;
        no other patch comes inside it. Below 48 the starting patches could touch each other.
    water_free_radius: radius (tiles) around the spawn with no water; lakes also shrink for ~32 tiles beyond it
        and keep away from the starting patches.
    spawn_clear_radius: radius (tiles) around the spawn with no tree or rock.
    """

    water: float = 1.0
    water_scale: float = 1.0
    resource_frequency: float = 1.0
    resource_size: float = 1.0
    resource_richness: float = 1.0
    tree_density: float = 1.0
    rock_density: float = 1.0
    starting_area_radius: float = 64.0
    water_free_radius: float = 24.0
    spawn_clear_radius: float = 10.0

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise MapGenError(f"MapGenSettings.{f.name} must be a finite number >= 0, got {v!r}")
        if self.water_scale <= 0:
            raise MapGenError(f"MapGenSettings.water_scale must be > 0, got {self.water_scale!r}")
        if self.starting_area_radius < 48:
            raise MapGenError(
                f"MapGenSettings.starting_area_radius must be >= 48 so four starting patches fit without touching, "
                f"got {self.starting_area_radius!r}")


@dataclass(frozen=True, slots=True)
class ChunkData:
    """One generated chunk: tiles row-major (index ``(y - cy*32)*32 + (x - cx*32)``), ore tiles
    ``(name, tile x, tile y, amount)`` whose entity sits at ``(x+0.5, y+0.5)``, and trees/rocks ``(name, x, y)``."""

    cx: int
    cy: int
    tiles: tuple[str, ...]
    resources: tuple[tuple[str, int, int, int], ...]
    decoratives: tuple[tuple[str, float, float], ...]


class StartingPatch(NamedTuple):
    """A guaranteed ore patch near the spawn: its centre (tile coordinates), radius and centre amount."""

    name: str
    x: float
    y: float
    radius: float
    peak: int


class _Patch(NamedTuple):
    name: str
    x: float
    y: float
    radius: float
    peak: float


class _Area(NamedTuple):
    """Per-tile fields of a square of tiles (a chunk plus a margin), row-major from (x0, y0)."""

    x0: int
    y0: int
    w: int
    names: list[str]
    cats: list[int]
    moist: list[float]
    aux: list[float]
    forest: list[float]
    bits: list[int]  # 32 random bits per tile


class _Box(NamedTuple):
    left: float
    top: float
    right: float
    bottom: float


def _box(proto: dict, key: str) -> _Box:
    (x1, y1), (x2, y2) = proto[key]
    return _Box(float(x1), float(y1), float(x2), float(y2))


class _DecoShape(NamedTuple):
    collision: _Box  # what must sit on free land
    spacing: _Box  # what must not overlap another decorative: map_generator_bounding_box where the game has one
    reach: float  # furthest corner of the collision box from the entity position


def _decorative_shapes(raw: dict[str, Any]) -> dict[str, _DecoShape]:
    out = {}
    for table, names in (("tree", TREES), ("simple-entity", ROCKS)):
        for name in names:
            proto = raw[table][name]
            coll = _box(proto, "collision_box")
            spacing = _box(proto, "map_generator_bounding_box") if "map_generator_bounding_box" in proto else coll
            reach = max(math.hypot(x, y) for x in (coll.left, coll.right) for y in (coll.top, coll.bottom))
            out[name] = _DecoShape(coll, spacing, reach)
    return out


class MapGenerator:
    """Generates chunks of one map; every chunk is a pure function of ``(seed, settings, cx, cy)``."""

    def __init__(self, seed: int, *, settings: MapGenSettings | None = None,
                 prototypes: PrototypeData | None = None):
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise MapGenError(f"map seed must be an int, got {type(seed).__name__} {seed!r}")
        if settings is not None and not isinstance(settings, MapGenSettings):
            raise MapGenError(f"settings must be a MapGenSettings, got {type(settings).__name__}")
        self.seed = seed
        self.settings = s = settings or MapGenSettings()
        base = mix_seed(seed)
        self._s_elev, self._s_moist, self._s_aux, self._s_forest, self._s_shape, self._s_res, self._s_deco = (
            mix_seed(base, layer) for layer in range(1, 8))
        self._s_deco &= 0xFFFFFFFF
        self._water_thr = -0.34 + 0.33 * math.log10(s.water) if s.water > 0 else -math.inf
        self._deep_thr = self._water_thr - 0.1
        self._elev_scale = 110.0 * s.water_scale
        # Trees' and rocks' boxes from the game's data: the engine's version's, or by default 2.0's.
        self._shapes = _decorative_shapes((prototypes or load_prototypes()).raw)
        widest = max(max(-b.left, b.right, -b.top, b.bottom) for b in (d.spacing for d in self._shapes.values()))
        # Two spacing boxes can overlap only if their tiles are less than (sum of half-widths) + 0.5 apart.
        tree_half = max(max(-b.left, b.right, -b.top, b.bottom) for b in (self._shapes[t].spacing for t in TREES))
        self._tree_window = math.ceil(2 * tree_half + 0.5) - 1
        if math.ceil(2 * widest + 0.5) - 1 > _PAD:
            raise MapGenError(f"a decorative spacing box half-width of {widest} needs more than the {_PAD} tiles of "
                              "neighbouring chunks the generator looks at; raise mapgen._PAD")
        self.starting_patches = self._make_starting_patches()
        # Beyond this distance from the spawn nothing lifts the ground (see _land_lift).
        self._lift_reach = 2 + max([s.water_free_radius + 32.0] + [
            math.hypot(p.x, p.y) + p.radius * (1 + _SHAPE_AMP) + 3.0 + 12.0 for p in self.starting_patches])
        self._res_radius = _RES_BASE_RADIUS * math.sqrt(s.resource_size)
        self._res_reach = self._res_radius * 1.5 * (1 + _SHAPE_AMP)  # radius grows up to 1.5x with distance
        self._res_cell = max(_RES_CELL_MIN, int(math.ceil(2 * self._res_reach + 32)))

    # -- layout decided once per map ------------------------------------------------------------------------

    def _make_starting_patches(self) -> tuple[StartingPatch, ...]:
        s = self.settings
        h = mix_seed(self._s_res, 0x5747)
        base_angle = hash_unit(h, 0, 0) * 2 * math.pi
        order = sorted(RESOURCES, key=lambda n: hash_unit(h, RESOURCES.index(n), 1))
        out = []
        for slot, name in enumerate(order):
            radius, peak = _START_PATCHES[name]
            # Quarter-turn slots with +-15 degrees of play keep neighbours >= 60 degrees apart, which at
            # 0.45*R >= 28.8 tiles is more than two patches' reach.
            angle = base_angle + slot * math.pi / 2 + (hash_unit(h, slot, 2) - 0.5) * math.pi / 6
            dist = s.starting_area_radius * (0.45 + 0.25 * hash_unit(h, slot, 3))
            out.append(StartingPatch(name, dist * math.cos(angle), dist * math.sin(angle), radius,
                                     max(1, round(peak * s.resource_richness))))
        return tuple(out)

    def _cell_patch(self, i: int, j: int) -> _Patch | None:
        """The ore patch of resource cell (i, j), if any; it lies wholly inside the cell, so patches never meet."""
        s = self.settings
        if hash_unit(self._s_res, i, j) >= min(1.0, 0.55 * s.resource_frequency) or s.resource_size <= 0:
            return None
        cell, reach = self._res_cell, self._res_reach
        x = i * cell + reach + hash_unit(self._s_res, i, j + 0x10000) * (cell - 2 * reach)
        y = j * cell + reach + hash_unit(self._s_res, i + 0x10000, j) * (cell - 2 * reach)
        dist = math.hypot(x, y)
        grow = min(1.5, 1.0 + dist / 2000.0)
        if dist - reach < s.starting_area_radius:
            return None
        pick = hash_unit(self._s_res, i + 0x20000, j)
        name = _RES_WEIGHTS[-1][0]
        for candidate, weight in _RES_WEIGHTS:
            if pick < weight:
                name = candidate
                break
            pick -= weight
        radius = self._res_radius * grow * (0.7 + 0.3 * hash_unit(self._s_res, i, j + 0x20000))
        # Same distance factor as the base game's ore autoplace richness_expression: max((1000+distance)/2600, 1).
        peak = _RES_BASE_PEAK * s.resource_richness * grow * max((1000 + dist) / 2600, 1.0)
        return _Patch(name, x, y, radius, peak)

    # -- per chunk ------------------------------------------------------------------------------------------

    def generate_chunk(self, cx: int, cy: int) -> ChunkData:
        """The chunk whose tiles are ``[cx*32, cx*32+32) x [cy*32, cy*32+32)``."""
        for v, label in ((cx, "cx"), (cy, "cy")):
            if isinstance(v, bool) or not isinstance(v, int):
                raise MapGenError(f"chunk coordinate {label} must be an int, got {type(v).__name__} {v!r}")
        area = self._area(cx * CHUNK_SIZE - _PAD, cy * CHUNK_SIZE - _PAD, CHUNK_SIZE + 2 * _PAD)
        ores = self._ores(area)
        decoratives = self._place_decoratives(area, ores)
        w = area.w
        tiles: list[str] = []
        resources = []
        for j in range(_PAD, _PAD + CHUNK_SIZE):
            row = j * w
            tiles.extend(area.names[row + _PAD:row + _PAD + CHUNK_SIZE])
            for i in range(_PAD, _PAD + CHUNK_SIZE):
                ore = ores.get(row + i)
                if ore is not None:
                    resources.append((ore[0], area.x0 + i, area.y0 + j, ore[1]))
        return ChunkData(cx, cy, tuple(tiles), tuple(resources), tuple(decoratives))

    def _land_lift(self, x: float, y: float) -> float:
        """How much the spawn and the starting patches raise the ground at (x, y); inf means never water."""
        s = self.settings
        d = math.hypot(x, y)
        if d < s.water_free_radius:
            return math.inf
        lift = max(0.0, 1.0 - (d - s.water_free_radius) / 32.0) * 0.6
        for p in self.starting_patches:
            keep = p.radius * (1 + _SHAPE_AMP) + 3.0
            dp = math.hypot(x - p.x, y - p.y)
            if dp < keep:
                return math.inf
            lift = max(lift, max(0.0, 1.0 - (dp - keep) / 12.0) * 0.5)
        return lift

    def _area(self, x0: int, y0: int, w: int) -> _Area:
        elev, moist, aux, forest = coarse_fields(
            ((self._s_elev, self._elev_scale, 4, 4), (self._s_moist, 200.0, 3, 4), (self._s_aux, 150.0, 2, 4),
             (self._s_forest, 48.0, 3, 4)), x0, y0, w, w)
        thr, deep = self._water_thr, self._deep_thr
        lift_reach2 = self._lift_reach ** 2
        seed = self._s_deco
        names: list[str] = []
        cats: list[int] = []
        bits: list[int] = []
        table = _LAND_TABLE
        m0, m1, m2, m3, m4 = _MOISTURE_BANDS
        a0, a1, a2 = _AUX_BANDS
        k = -1
        for y in range(y0, y0 + w):
            hy = (y * 0x27D4EB2F + seed) & 0xFFFFFFFF
            for x in range(x0, x0 + w):
                k += 1
                # 32-bit multiply-xorshift: small ints keep it cheap enough for every tile.
                h = ((x * 0x165667B1) ^ hy) & 0xFFFFFFFF
                h = ((h ^ (h >> 15)) * 0x2C1B3C6D) & 0xFFFFFFFF
                h = ((h ^ (h >> 12)) * 0x297A2D39) & 0xFFFFFFFF
                h ^= h >> 15
                bits.append(h)
                e = elev[k]
                if e < thr:
                    if x * x + y * y < lift_reach2:
                        e += self._land_lift(x + 0.5, y + 0.5)
                    if e < thr:
                        names.append("deepwater" if e < deep else "water")
                        cats.append(_CAT_WATER)
                        continue
                # A little per-tile dither frays the borders between tile types, as the game's do.
                m = moist[k] + ((h >> 24) - 128) * 0.00012
                band = 0 if m > m0 else 1 if m > m1 else 2 if m > m2 else 3 if m > m3 else 4 if m > m4 else 5
                a = aux[k] + (((h >> 16) & 0xFF) - 128) * 0.00012
                col = 0 if a < a0 else 1 if a < a1 else 2 if a < a2 else 3
                names.append(table[band][col])
                cats.append(_CAT_GREEN if band < 3 else _CAT_DESERT if col in (0, 3) else _CAT_DRY)
        return _Area(x0, y0, w, names, cats, moist, aux, forest, bits)

    def _ores(self, area: _Area) -> dict[int, tuple[str, int]]:
        """Ore on the area: index -> (resource name, amount); water tiles never get ore."""
        x0, y0, w, cats = area.x0, area.y0, area.w, area.cats
        patches: list[_Patch] = [_Patch(p.name, p.x, p.y, p.radius, p.peak) for p in self.starting_patches]
        cell = self._res_cell
        for i in range(x0 // cell, (x0 + w - 1) // cell + 1):
            for j in range(y0 // cell, (y0 + w - 1) // cell + 1):
                patch = self._cell_patch(i, j)
                if patch is not None:
                    patches.append(patch)
        ores: dict[int, tuple[str, int]] = {}
        shape: list[float] | None = None
        for p in patches:
            reach = p.radius * (1 + _SHAPE_AMP)
            lo_x = max(x0, math.floor(p.x - reach))
            hi_x = min(x0 + w - 1, math.ceil(p.x + reach))
            lo_y = max(y0, math.floor(p.y - reach))
            hi_y = min(y0 + w - 1, math.ceil(p.y + reach))
            if lo_x > hi_x or lo_y > hi_y:
                continue
            if shape is None:
                shape = fbm_block(self._s_shape, x0, y0, w, w, 9.0, 2)
            inv_r = 1.0 / p.radius
            for ty in range(lo_y, hi_y + 1):
                dy = ty + 0.5 - p.y
                row = (ty - y0) * w
                for tx in range(lo_x, hi_x + 1):
                    k = row + tx - x0
                    if cats[k] == _CAT_WATER or k in ores:
                        continue
                    dn = math.hypot(tx + 0.5 - p.x, dy) * inv_r + _SHAPE_AMP * shape[k]
                    if dn < 1.0:
                        falloff = (1.0 - max(dn, 0.0)) ** 1.5
                        ores[k] = (p.name, max(1, int(p.peak * (0.12 + 0.88 * falloff))))
        return ores

    def _place_decoratives(self, area: _Area, ores: dict[int, tuple[str, int]]) -> list[tuple[str, float, float]]:
        """Trees and rocks, settled as a hard-core process so no chunk needs another's result.

        Each tile may hold one candidate (drawn from a hash of its position). A candidate is kept when it sits
        on free land and no overlapping candidate outranks it (rocks outrank trees, then by hash). The rule looks
        only at candidates up to ``_PAD`` tiles away, which this chunk computes itself, so two chunks agree
        about every pair that straddles their border and kept decoratives never overlap.
        """
        cand, rocks = self._candidates(area)
        shapes = self._shapes
        clear = self.settings.spawn_clear_radius
        w = area.w
        out = []
        for j in range(_PAD, _PAD + CHUNK_SIZE):
            for i in range(_PAD, _PAD + CHUNK_SIZE):
                c = cand[j * w + i]
                if c is None:
                    continue
                name, px, py = c[1], c[2], c[3]
                shape = shapes[name]
                if math.hypot(px, py) - shape.reach < clear:
                    continue
                if not _on_free_land(px, py, shape.collision, area, ores):
                    continue
                # Rocks outrank every tree, so a rock only meets other rocks; a tree meets rocks from up to
                # _PAD tiles away but trees only from its own, smaller window.
                if _outranked_by(c, rocks):
                    continue
                if c[0][0] == 1 and _outranked(c, i, j, w, self._tree_window, cand):
                    continue
                out.append((name, px, py))
        return out

    def _candidates(self, area: _Area):
        """One possible decorative per land tile of the area, and the rocks among them."""
        s = self.settings
        shapes = self._shapes
        p_rock = _ROCK_CHANCE * s.rock_density
        p_any = p_rock + s.tree_density * (_TREE_CHANCE_MIN + _TREE_CHANCE_FOREST)
        wet, mid, dry = (limit for limit, _ in _TREE_GROUPS[:3])
        groups = [g for _, g in _TREE_GROUPS]
        cats, moist, aux, forest, bits = area.cats, area.moist, area.aux, area.forest, area.bits
        cand: list[tuple | None] = [None] * (area.w * area.w)
        rocks = []
        k = -1
        for ty in range(area.y0, area.y0 + area.w):
            for tx in range(area.x0, area.x0 + area.w):
                k += 1
                cat = cats[k]
                if cat == _CAT_WATER:
                    continue
                h = bits[k]
                u = h * _INV_2_32
                if u >= p_any:
                    continue
                if u < p_rock:
                    rank = 0
                    if cat == _CAT_DESERT:
                        name = "big-sand-rock"
                    else:
                        name = "huge-rock" if u < p_rock / 3 else "big-rock"
                else:
                    m = moist[k]
                    woods = (forest[k] + 0.35 * m - 0.06) * 4.0
                    woods = 0.0 if woods < 0.0 else 1.0 if woods > 1.0 else woods
                    if u >= p_rock + s.tree_density * (_TREE_CHANCE_MIN + _TREE_CHANCE_FOREST * woods):
                        continue
                    rank = 1
                    group = groups[0 if m > wet else 1 if m > mid else 2 if m > dry else 3]
                    # Species follow the slow aux field so a forest is a few species, not confetti.
                    name = group[(int((aux[k] + 1.0) * 6.0) + (h & 1)) % len(group)]
                px = tx + 0.5 + (((h >> 1) & 127) - 64) * _JITTER
                py = ty + 0.5 + (((h >> 8) & 127) - 64) * _JITTER
                sp = shapes[name].spacing
                c = ((rank, h, ty, tx), name, px, py, px + sp.left, py + sp.top, px + sp.right, py + sp.bottom)
                cand[k] = c
                if rank == 0:
                    rocks.append(c)
        return cand, rocks


def _on_free_land(px: float, py: float, box: _Box, area: _Area, ores: dict) -> bool:
    x0, y0, w, cats = area.x0, area.y0, area.w, area.cats
    for ty in range(math.floor(py + box.top), math.ceil(py + box.bottom)):
        row = (ty - y0) * w
        for tx in range(math.floor(px + box.left), math.ceil(px + box.right)):
            k = row + tx - x0
            if cats[k] == _CAT_WATER or k in ores:
                return False
    return True


def _outranked_by(c, others) -> bool:
    key, _, _, _, l1, t1, r1, b1 = c
    for o in others:
        if o[0] < key and o[4] < r1 and l1 < o[6] and o[5] < b1 and t1 < o[7]:
            return True
    return False


def _outranked(c, i, j, w, window, cand) -> bool:
    """Whether a candidate within ``window`` tiles of padded cell (i, j) overlaps ``c`` and ranks before it."""
    key, _, _, _, l1, t1, r1, b1 = c
    for jj in range(max(0, j - window), min(w, j + window + 1)):
        row = jj * w
        for ii in range(max(0, i - window), min(w, i + window + 1)):
            o = cand[row + ii]
            if o is not None and o[0] < key and o[4] < r1 and l1 < o[6] and o[5] < b1 and t1 < o[7]:
                return True
    return False
