from .connection import connect
from .loader import load_snapshot, LoadReport
from .patches import build_resource_patches
