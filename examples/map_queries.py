"""The map-wide REMOTE view: load the server's map into DuckDB, keep it live with the game's deltas, and query
entities, resource patches and ghosts with SQL, as the seed's RemoteView example does.

    fv server start --detach
    python examples/map_queries.py [--server ID]

The game sends its map deltas to one UDP port (`fv server status` lists it): stop `fv agent` on that server first,
or its runtime keeps the port.
"""

from __future__ import annotations

import asyncio

from _server import client_for, find_server, parse_server, snapshot_of

from factoryverse.sdk import MapPosition, RemoteView


async def main(server_id: int | None) -> None:
    server = find_server(server_id)
    snapshot_dir, dispatcher = snapshot_of(server)

    view = RemoteView(snapshot_dir, udp_dispatcher=dispatcher)
    await view.load()   # Load JSONL snapshots into DuckDB
    await view.start()  # Start real-time UDP sync
    async with client_for(server) as game:
        agent = await game.create_agent(position=(0, 0))
        # Bound to the agent, the view waits for the deltas of the agent's own changes (read-your-writes).
        agent.use_remote_view(view)
        try:
            # A ghost costs no items: it marks where an assembler will go.
            here = await agent.walking.position()
            machine = await agent.inventory.get_placeable("assembling-machine-1")
            await machine.place_ghost(MapPosition(here.x + 4, here.y + 4))

            drills = view.get_entities("SELECT * FROM map_entity WHERE entity_name = 'burner-mining-drill'")
            print(f"{len(drills)} burner mining drills on the map")
            for drill in drills:
                print(f"Drill at {drill.position} - {drill.inspect()}")

            result = view.query("SELECT * FROM resource_patch WHERE resource_name = 'iron-ore'")
            for patch in result:
                print(f"iron-ore patch {patch['patch_id']}: {patch['tile_count']} tiles around {patch['centroid']}")

            pending = view.get_ghosts("SELECT * FROM ghost WHERE ghost_name = 'assembling-machine-1'")
            for ghost in pending:
                print(ghost.inspect())

            # REMOTE ghosts can be removed (not built) through the agent's view of the same database.
            for ghost in agent.remote_view.get_ghosts("SELECT * FROM ghost WHERE ghost_name = 'assembling-machine-1'"):
                await ghost.remove()
            left = view.query("SELECT count(*) AS n FROM ghost WHERE ghost_name = 'assembling-machine-1'")[0]["n"]
            print(f"ghosts left after removing: {left}")
        finally:
            await game.destroy_agents([agent.agent_id])
            await view.close()


if __name__ == "__main__":
    asyncio.run(main(parse_server(__doc__.splitlines()[0])))
