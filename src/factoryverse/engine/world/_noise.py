"""Seeded integer hashing and fractal value noise, evaluated a grid at a time.

Everything is a pure function of (seed, coordinates), so a map is the same whatever order its chunks are made in.
Noise is computed per grid rather than per point because plain Python pays per call: a grid shares its lattice
values and per-column weights across all its points. Smooth fields are sampled on a coarse grid aligned to global
coordinates and upsampled bilinearly, which keeps neighbouring chunks seamless and costs one pass per tile.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["hash_int", "hash_unit", "mix_seed", "fbm_grid", "fbm_block", "coarse_fields"]

_MASK64 = 0xFFFFFFFFFFFFFFFF
_INV_2_53 = 1.0 / (1 << 53)


def mix_seed(*parts: int) -> int:
    """Fold integers (a seed, a layer id, ...) into one 64-bit value with a splitmix64 finaliser per part."""
    h = 0x243F6A8885A308D3
    for part in parts:
        h = (h ^ (part & _MASK64)) * 0x9E3779B97F4A7C15 & _MASK64
        h ^= h >> 31
        h = h * 0xBF58476D1CE4E5B9 & _MASK64
        h ^= h >> 27
        h = h * 0x94D049BB133111EB & _MASK64
        h ^= h >> 31
    return h


def hash_int(seed: int, x: int, y: int) -> int:
    """A well-mixed 64-bit hash of a lattice point; ``seed`` should already be mixed (see :func:`mix_seed`)."""
    h = (seed ^ (x * 0x9E3779B97F4A7C15) ^ (y * 0xC2B2AE3D27D4EB4F)) & _MASK64
    h ^= h >> 33
    h = h * 0xFF51AFD7ED558CCD & _MASK64
    h ^= h >> 33
    h = h * 0xC4CEB9FE1A85EC53 & _MASK64
    h ^= h >> 33
    return h


def hash_unit(seed: int, x: int, y: int) -> float:
    """A uniform float in [0, 1) for a lattice point."""
    return (hash_int(seed, x, y) >> 11) * _INV_2_53


def _weights(coords: Sequence[float], freq: float) -> list[tuple[int, float]]:
    out = []
    for c in coords:
        g = c * freq
        i = math.floor(g)
        f = g - i
        out.append((i, f * f * (3.0 - 2.0 * f)))
    return out


def _octave(seed: int, xs: Sequence[float], ys: Sequence[float], freq: float, amp: float, out: list[float]) -> None:
    """Add one octave of smoothstep-interpolated value noise (range -amp..amp) at the points xs x ys."""
    cols = _weights(xs, freq)
    ix_lo = min(i for i, _ in cols)
    ix_hi = max(i for i, _ in cols) + 1
    lattice: dict[int, list[float]] = {}

    def _row(iy: int) -> list[float]:
        row = lattice.get(iy)
        if row is None:
            row = [hash_unit(seed, ix, iy) * 2.0 - 1.0 for ix in range(ix_lo, ix_hi + 1)]
            lattice[iy] = row
        return row

    rel = [(ix - ix_lo, s) for ix, s in cols]
    k = 0
    for iy, t in _weights(ys, freq):
        r0 = _row(iy)
        r1 = _row(iy + 1)
        # Blending the two lattice rows first leaves one lerp per point.
        blend = [a + (b - a) * t for a, b in zip(r0, r1)]
        for c, s in rel:
            a = blend[c]
            out[k] += (a + (blend[c + 1] - a) * s) * amp
            k += 1


def fbm_grid(seed: int, xs: Sequence[float], ys: Sequence[float], scale: float, octaves: int = 3,
             persistence: float = 0.5) -> list[float]:
    """Fractal value noise at the points ``xs`` x ``ys`` (row-major), normalised to lie within -1..1.

    ``scale`` is the feature size in tiles of the first octave; each further octave halves it and scales the
    amplitude by ``persistence``. Octaves are hashed with distinct seeds so their lattices don't line up.
    """
    out = [0.0] * (len(xs) * len(ys))
    freq = 1.0 / scale
    amp = 1.0
    total = 0.0
    for o in range(octaves):
        _octave(mix_seed(seed, o), xs, ys, freq, amp, out)
        total += amp
        freq *= 2.0
        amp *= persistence
    inv = 1.0 / total
    return [v * inv for v in out]


def fbm_block(seed: int, x0: int, y0: int, w: int, h: int, scale: float, octaves: int = 3,
              persistence: float = 0.5) -> list[float]:
    """:func:`fbm_grid` at the centres of tiles ``x0..x0+w-1`` x ``y0..y0+h-1``."""
    return fbm_grid(seed, [x0 + i + 0.5 for i in range(w)], [y0 + j + 0.5 for j in range(h)], scale, octaves,
                    persistence)


def coarse_fields(specs: Sequence[tuple[int, float, int, int]], x0: int, y0: int, w: int,
                  h: int) -> list[list[float]]:
    """Several fbm fields over tiles ``x0..x0+w-1`` x ``y0..y0+h-1``, each ``(seed, scale, octaves, step)``.

    Each field is evaluated exactly on the global lattice of multiples of ``step`` and bilinearly interpolated
    between, so a tile's value depends only on its global position, never on the rectangle asked for. A step
    well below the finest octave's feature size (``scale / 2**(octaves-1)``) loses nothing visible.
    """
    return [_coarse_field(seed, scale, octaves, step, x0, y0, w, h) for seed, scale, octaves, step in specs]


def _coarse_field(seed: int, scale: float, octaves: int, step: int, x0: int, y0: int, w: int,
                  h: int) -> list[float]:
    cx0 = (x0 // step) * step
    cy0 = (y0 // step) * step
    cw = (x0 + w - 1 - cx0) // step + 2
    ch = (y0 + h - 1 - cy0) // step + 2
    coarse = fbm_grid(seed, [float(cx0 + i * step) for i in range(cw)], [float(cy0 + j * step) for j in range(ch)],
                      scale, octaves)
    cols = []
    for i in range(w):
        u = (x0 + i - cx0) / step
        iu = int(u)
        cols.append((iu, u - iu))
    # Interpolate along x once per coarse row, then each tile row is a zip-blend of two such rows.
    xrows = []
    for j in range(ch):
        r = coarse[j * cw:(j + 1) * cw]
        xrows.append([r[i] + (r[i + 1] - r[i]) * s for i, s in cols])
    out: list[float] = []
    for j in range(h):
        v = (y0 + j - cy0) / step
        iv = int(v)
        t = v - iv
        if t == 0.0:
            out.extend(xrows[iv])
        else:
            out.extend([a + (b - a) * t for a, b in zip(xrows[iv], xrows[iv + 1])])
    return out
