"""LocalisedString -> text, for log(), print and files: plain values as they are, {"", ...} concatenated."""

from __future__ import annotations

from typing import Any

__all__ = ["localised_to_text"]


def localised_to_text(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, list) and value:
        key, params = value[0], value[1:]
        if key == "":
            return "".join(localised_to_text(p) for p in params)
        # No locale files are loaded: show the key and its parameters, as the game does for a missing key.
        text = f"Unknown key: \"{key}\""
        return text if not params else text + " " + " ".join(localised_to_text(p) for p in params)
    if isinstance(value, dict) and not value:
        return ""
    return str(value)
