"""Grid snapping and box rotation in Factorio's coordinates."""

from __future__ import annotations

import pytest

from factoryverse.engine.world.geometry import BBox, rotate_box, snap_to_grid

_TWO_BY_TWO = BBox(-0.7, -0.7, 0.7, 0.7)  # stone-furnace's collision box
_ONE_BY_ONE = BBox(-0.35, -0.35, 0.35, 0.35)  # wooden-chest's


@pytest.mark.parametrize(("x", "expected"), [(30.5, 31.0), (31.5, 32.0), (-0.5, 0.0), (-1.5, -1.0), (0.49, 0.0)])
def test_even_sizes_round_halves_up_on_both_axes(x, expected):
    """Regression: snap_to_grid used round(), which is half-to-even in Python, so a 2x2 asked for at 30.5 snapped
    down to 30 but one at 31.5 up to 32; halves now always go the same way, towards +inf."""
    assert snap_to_grid(x, x, _TWO_BY_TWO) == (expected, expected)


def test_odd_sizes_go_to_the_tile_centre():
    assert snap_to_grid(2.0, -0.1, _ONE_BY_ONE) == (2.5, -0.5)


def test_rotating_a_box_a_quarter_turn_swaps_its_extents():
    assert rotate_box(BBox(-1.0, -0.5, 1.0, 0.5), 4) == BBox(-0.5, -1.0, 0.5, 1.0)
