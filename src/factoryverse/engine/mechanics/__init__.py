"""Game mechanics at the prototype data's rates: the scheduler that wakes machines at their event ticks, energy
sources (burners, electric, void), walking and path requests. What each entity type does is its kind's
(engine/kinds/)."""

__all__: list[str] = []
