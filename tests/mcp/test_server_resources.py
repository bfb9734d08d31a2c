"""factoryverse-mcp's resources, read over stdio by a real MCP client: the SDK reference is the generated file."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

_TIMEOUT_S = 60.0
REFERENCE = Path(__file__).resolve().parents[2] / "src" / "factoryverse" / "sdk" / "reference.txt"


async def _read_reference(home: Path) -> tuple[list, str, str]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "factoryverse.mcp"],
                                   env={"FACTORYVERSE_HOME": str(home)})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            listed = (await session.list_resources()).resources
            contents = (await session.read_resource("factoryverse://sdk/reference")).contents
    return listed, "".join(c.text for c in contents), init.instructions or ""


def test_the_sdk_reference_is_served_as_a_resource(tmp_path):
    listed, text, instructions = asyncio.run(asyncio.wait_for(_read_reference(tmp_path), _TIMEOUT_S))
    (entry,) = [r for r in listed if str(r.uri) == "factoryverse://sdk/reference"]
    assert entry.mime_type == "text/plain" and entry.name == "sdk_reference"
    assert text == REFERENCE.read_text(encoding="utf-8")
    assert "await to(position" in text  # walking.to, as generated from the SDK
    assert "factoryverse://sdk/reference" in instructions  # the model is told the resource exists
