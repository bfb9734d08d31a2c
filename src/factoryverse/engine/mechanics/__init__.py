"""Game mechanics at the prototype data's rates: burners, mining drills, furnaces, walking, path requests."""

__all__: list[str] = []
