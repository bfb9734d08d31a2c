"""``python -m factoryverse.engine.headless [Factorio's headless flags]``."""

import sys

from factoryverse.engine.headless._main import main

sys.exit(main())
