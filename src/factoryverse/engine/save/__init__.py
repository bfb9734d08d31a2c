"""Save, load and fork (issue 7, points 8 and 9): the save file (savefile.py), the world (world_codec.py), mods'
`storage` (storage_codec.py) and the load lifecycle (game_save.py). `Engine.save`, `Engine.load` and `Engine.fork`
are the entry points."""

from factoryverse.engine.save.fork import ForkRefusedError
from factoryverse.engine.save.game_save import StorageWriteInOnLoadError
from factoryverse.engine.save.savefile import SAVE_SCHEMA_VERSION, SAVE_SUFFIX, SaveVersionError, check_save_name
from factoryverse.engine.save.world_codec import CorruptSaveError, SaveError

__all__ = [
    "SAVE_SCHEMA_VERSION", "SAVE_SUFFIX", "SaveError", "CorruptSaveError", "SaveVersionError",
    "StorageWriteInOnLoadError", "ForkRefusedError", "check_save_name",
]
