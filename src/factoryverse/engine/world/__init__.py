"""The world: map generation, surfaces and chunks, entities, inventories, forces, pathfinding."""

__all__: list[str] = []
