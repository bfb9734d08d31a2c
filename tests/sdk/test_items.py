"""Items and stacks as values: counts are checked before anything is sent, stacks compare by item and count."""

from __future__ import annotations

import pytest

from factoryverse.sdk import InvalidArgumentError, Item, ItemStack, PlaceableItem, ViewError
from factoryverse.sdk.entities.mixins import stack_of


@pytest.mark.parametrize("count", [0, -3, 1.5, True, "5", float("nan")])
def test_a_stack_needs_a_whole_count_of_at_least_one(count):
    with pytest.raises(InvalidArgumentError, match="at least 1"):
        ItemStack("coal", count)


def test_stacks_compare_by_item_and_count():
    assert ItemStack("coal", 5) == ItemStack("coal", 5) != ItemStack("coal", 4)
    assert Item("coal").stack(3) == ItemStack("coal", 3)
    assert len({ItemStack("coal", 5), ItemStack("coal", 5)}) == 1


def test_affordances_take_a_stack_or_the_older_name_and_count():
    assert stack_of(ItemStack("coal", 5), None, "add_fuel") == ("coal", 5)
    assert stack_of("coal", 5, "add_fuel") == ("coal", 5)
    with pytest.raises(InvalidArgumentError, match="needs a count"):
        stack_of("coal", None, "add_fuel")
    with pytest.raises(InvalidArgumentError, match="not both"):
        stack_of(ItemStack("coal", 5), 5, "add_fuel")
    with pytest.raises(InvalidArgumentError, match="takes an ItemStack"):
        stack_of(5, None, "add_fuel")  # type: ignore[arg-type]


async def _place_without_agent():
    await PlaceableItem("stone-furnace").place((0, 0))


def test_an_item_without_an_agent_cannot_be_placed():
    import asyncio

    with pytest.raises(ViewError, match="no agent"):
        asyncio.run(_place_without_agent())
