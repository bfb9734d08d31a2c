"""The seed's accessor patterns as a plain asyncio script: find iron ore on the map, walk there, mine, count.

    fv server start --detach
    python examples/first_steps.py [--server ID]

Outside the agent runtime every call that asks the game is awaited (docs/sdk.md, "Awaited or not"). The seed's
`crafting.craft("iron-plate", ...)` is tried too: iron plates are smelted, not hand-crafted, so the game refuses,
and the refusal comes back as a CraftRefusedError.
"""

from __future__ import annotations

import asyncio

from _server import client_for, find_server, parse_server, snapshot_of

from factoryverse.sdk import CraftRefusedError, MapPosition, RemoteView


async def main(server_id: int | None) -> None:
    server = find_server(server_id)
    snapshot_dir, _ = snapshot_of(server)
    view = RemoteView(snapshot_dir)
    await view.load()  # the map as the game last wrote it; no live updates needed to find ore
    async with client_for(server) as game:
        agent = await game.create_agent(position=(0, 0))
        walking, reachable_view, crafting, inventory = (agent.walking, agent.reachable_view, agent.crafting,
                                                        agent.inventory)
        try:
            patch = view.query("SELECT * FROM resource_patch WHERE resource_name = 'iron-ore'")[0]
            print(f"iron-ore patch {patch['patch_id']}: {patch['tile_count']} tiles, {patch['total_amount']} ore")
            # The centre of the ore tile nearest the character (resource_tile rows are tiles by their corner).
            start = await walking.position()
            tile = view.query(f"SELECT x + 0.5 AS x, y + 0.5 AS y FROM resource_tile WHERE name = 'iron-ore' "
                              f"ORDER BY (x - {start.x})^2 + (y - {start.y})^2 LIMIT 1")[0]
            walked = await walking.to(MapPosition(tile["x"], tile["y"]))
            print(f"walked to {walked.position}")

            resources = await reachable_view.get_resources("iron-ore")
            mined = await resources[0].mine(max_count=25)
            print(f"mined {mined.count} {mined.item}")

            try:
                await crafting.craft("iron-plate", count=10)
            except CraftRefusedError as refused:
                print(f"crafting iron-plate by hand: refused ({type(refused).__name__})")

            iron_count = await inventory.get_total("iron-ore")
            print(f"iron-ore in the inventory: {iron_count}")
        finally:
            await game.destroy_agents([agent.agent_id])
            await view.close()


if __name__ == "__main__":
    asyncio.run(main(parse_server(__doc__.splitlines()[0])))
