from __future__ import annotations

import pytest

from tests.servers._instance import running_instance


@pytest.fixture(scope="package")
def instance(tmp_path_factory):
    """One real fast-mode embedded server shared by this package's tests, its snapshot complete."""
    with running_instance(tmp_path_factory.mktemp("fv_home")) as inst:
        yield inst
