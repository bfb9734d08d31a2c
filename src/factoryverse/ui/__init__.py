"""`fv-ui`: a small web dashboard over the recorded FactoryVerse servers and their map databases."""

from factoryverse.ui.app import create_app
from factoryverse.ui.serve import main

__all__ = ["create_app", "main"]
