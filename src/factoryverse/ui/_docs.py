"""`/api/docs`: the API reference rendered on the server from the app's OpenAPI document.

FastAPI's default docs page loads Swagger UI from a CDN and stays blank offline; this one is plain HTML with
an inline style, no script, and nothing loaded from anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from typing import Any

__all__ = ["render_docs", "DOCS_CONTENT_SECURITY_POLICY"]

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem; max-width: 60rem; color: #222; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.6rem; }
code, .method { font-family: ui-monospace, monospace; }
.method { font-weight: 700; margin-right: .5rem; }
table { border-collapse: collapse; margin: .4rem 0; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #eee; }
.muted { color: #666; }
"""

DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_STYLE.encode("utf-8")).digest()).decode("ascii")
    + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _schema_text(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_schema_text(schema.get('items', {}))}"
    limits = [f"{word} {schema[key]}" for key, word in (("minimum", "min"), ("maximum", "max")) if key in schema]
    if "default" in schema:
        limits.append(f"default {json.dumps(schema['default'])}")
    return kind + (f" ({', '.join(limits)})" if limits else "")


def _parameters(op: dict[str, Any]) -> str:
    params = op.get("parameters", [])
    if not params:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
        f"<td>{'yes' if p.get('required') else 'no'}</td><td>{escape(_schema_text(p.get('schema', {})))}</td></tr>"
        for p in params
    )
    return f"<table><tr><th>parameter</th><th>in</th><th>required</th><th>type</th></tr>{rows}</table>"


def _responses(op: dict[str, Any]) -> str:
    rows = []
    for status, resp in op.get("responses", {}).items():
        schema = resp.get("content", {}).get("application/json", {}).get("schema", {})
        shape = _schema_text(schema) if schema else ""
        rows.append(f"<tr><td>{escape(str(status))}</td><td>{escape(resp.get('description', ''))}</td>"
                    f"<td>{escape(shape)}</td></tr>")
    return f"<table><tr><th>status</th><th>meaning</th><th>body</th></tr>{''.join(rows)}</table>"


def _component(name: str, schema: dict[str, Any]) -> str:
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    rows = "".join(
        f"<tr><td><code>{escape(key)}</code></td><td>{escape(_schema_text(value))}</td>"
        f"<td>{'yes' if key in required else 'no'}</td></tr>"
        for key, value in props.items()
    )
    return (f'<h3 id="schema-{escape(name)}">{escape(name)}</h3>'
            f"<table><tr><th>field</th><th>type</th><th>required</th></tr>{rows}</table>")


def render_docs(openapi: dict[str, Any]) -> str:
    """The reference page: every route with its parameters and answers, then the body schemas they name."""
    info = openapi.get("info", {})
    parts = [f"<h1>{escape(info.get('title', 'API'))} <span class=\"muted\">{escape(info.get('version', ''))}"
             "</span></h1>",
             '<p class="muted">The same document as JSON: <code>/api/openapi.json</code>.</p>']
    for path, methods in openapi.get("paths", {}).items():
        for method, op in methods.items():
            parts.append(f'<h2 class="route"><span class="method">{escape(method.upper())}</span>'
                         f"<code>{escape(path)}</code></h2>")
            if op.get("description"):
                parts.append(f"<p>{escape(op['description'])}</p>")
            parts.append(_parameters(op))
            parts.append(_responses(op))
    schemas = openapi.get("components", {}).get("schemas", {})
    if schemas:
        parts.append("<h2>Schemas</h2>")
        parts.extend(_component(name, schema) for name, schema in schemas.items())
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
            f"{escape(info.get('title', 'API'))}: API</title><style>{_STYLE}</style></head><body>"
            + "".join(parts) + "</body></html>\n")
