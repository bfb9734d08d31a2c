"""Iron plates the way the game makes them: mine stone, hand-craft a stone furnace, mine coal and iron ore, then
smelt in the furnace (the seed's `crafting.craft("iron-plate")` is a smelting recipe, which no character crafts).

    fv server start --detach
    python examples/smelt_iron_plates.py [--server ID]

Plain asyncio against the SDK: every call that asks the game is awaited. Nothing is spawned by cheats.
"""

from __future__ import annotations

import asyncio

from _server import client_for, find_server, parse_server, snapshot_of

from factoryverse.sdk import Agent, MapPosition, RemoteView

PLATES = 10


async def gather(agent: Agent, view: RemoteView, resource: str, count: int) -> None:
    """Walk to the nearest tile of `resource` and mine until the inventory holds `count` more of it."""
    here = await agent.walking.position()
    tile = view.query(f"SELECT x + 0.5 AS x, y + 0.5 AS y FROM resource_tile WHERE name = '{resource}' "
                      f"ORDER BY (x - {here.x})^2 + (y - {here.y})^2 LIMIT 1")[0]
    await agent.walking.to(MapPosition(tile["x"], tile["y"]))
    goal = await agent.inventory.get_total(resource) + count
    while (have := await agent.inventory.get_total(resource)) < goal:
        resources = await agent.reachable_view.get_resources(resource)
        await resources[0].mine(max_count=min(25, goal - have))
    print(f"mined {count} {resource}")


async def main(server_id: int | None) -> None:
    server = find_server(server_id)
    view = RemoteView(snapshot_of(server)[0])
    await view.load()
    async with client_for(server) as game:
        agent = await game.create_agent(position=(0, 0))
        try:
            await gather(agent, view, "stone", 5)  # recipe stone-furnace: 5 stone
            await agent.crafting.craft("stone-furnace", count=1)
            print("crafted a stone-furnace")
            await gather(agent, view, "coal", 5)
            await gather(agent, view, "iron-ore", PLATES)

            item = await agent.inventory.get_placeable("stone-furnace")
            # Not on the character's own tile: the nearest spot a few tiles away.
            cue = next(c for c in await item.placement_cues(max_results=200) if c.distance >= 3)
            furnace = await item.place(cue.position)
            print(f"placed {furnace.name} at {furnace.position}")

            coal_stack = agent.inventory.get_item("coal", count=5)
            await furnace.add_fuel(coal_stack)
            ore_stack = agent.inventory.get_item("iron-ore", count=PLATES)
            await furnace.add_ingredients(ore_stack)

            taken = 0
            while taken < PLATES:
                await game.wait_ticks(60)  # one game second; the furnace works meanwhile
                taken += await furnace.take_products()
            print(f"iron-plate in the inventory: {await agent.inventory.get_total('iron-plate')}")
            print((await furnace.refresh()).inspect())  # inspect() describes the state last read
        finally:
            await game.destroy_agents([agent.agent_id])
            await view.close()


if __name__ == "__main__":
    asyncio.run(main(parse_server(__doc__.splitlines()[0])))
