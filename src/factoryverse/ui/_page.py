"""The dashboard's single page: inline CSS and JS only, so it works offline and loads nothing from elsewhere."""

from __future__ import annotations

import base64
import hashlib

__all__ = ["PAGE_HTML", "CONTENT_SECURITY_POLICY"]

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fafafa; }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }
th { background: #eee; }
.alive { color: #17692a; font-weight: 600; }
.dead { color: #a11; font-weight: 600; }
.error { color: #a11; }
.muted { color: #777; }
.port-notes { color: #8a5a00; font-size: .9em; }
button { font: inherit; cursor: pointer; }
"""

_SCRIPT = r"""
"use strict";
const $ = (id) => document.getElementById(id);

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

// Ten consecutive ports (a block of the scheme, or a fallback block): shown as their range.
function agentPorts(list) {
  if (!list.length) return "";
  return list.length === 1 ? String(list[0]) : list[0] + "-" + list[list.length - 1];
}

async function getJSON(url, method) {
  const res = await fetch(url, {cache: "no-store", method: method || "GET"});
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

async function loadEntities(id) {
  $("entities-title").textContent = "Entities of server " + id;
  const body = $("entities-body");
  body.replaceChildren();
  $("entities-status").textContent = "loading...";
  try {
    // GETs never write the map database; the explicit POST catches it up from the game's files first.
    await getJSON("/api/servers/" + id + "/sync", "POST");
    const data = await getJSON("/api/servers/" + id + "/entities");
    for (const e of data.rows) {
      const tr = document.createElement("tr");
      for (const k of ["entity_key", "entity_name", "entity_type", "x", "y", "direction", "force"]) cell(tr, e[k]);
      body.appendChild(tr);
    }
    $("entities-status").textContent = data.row_count + " entities" + (data.truncated ? " (truncated)" : "");
  } catch (err) {
    $("entities-status").textContent = "error: " + err.message;
  }
}

async function loadServers() {
  const body = $("servers-body");
  try {
    const servers = await getJSON("/api/servers");
    body.replaceChildren();
    for (const s of servers) {
      const tr = document.createElement("tr");
      tr.className = "server-row";
      tr.dataset.serverId = s.id;
      const ports = s.ports;
      cell(tr, s.id);
      cell(tr, s.alive ? "running" : "dead", s.alive ? "alive" : "dead");
      cell(tr, s.backend);
      cell(tr, s.rcon_host + ":" + ports.rcon);
      // The embedded engine serves no game clients: no game port.
      cell(tr, ports.game_udp === null ? "-" : ports.game_udp);
      cell(tr, ports.snapshot_udp);
      cell(tr, agentPorts(ports.agent_udp));
      const notes = cell(tr, "", "port-notes");
      for (const note of s.port_notes) {
        const line = document.createElement("div");
        line.textContent = note;
        notes.appendChild(line);
      }
      cell(tr, s.seed);
      cell(tr, s.mode);
      cell(tr, new Date(s.started_at * 1000).toLocaleString());
      const btn = document.createElement("button");
      btn.textContent = "entities";
      btn.addEventListener("click", () => { location.hash = "server=" + s.id; });
      cell(tr, "").appendChild(btn);
      body.appendChild(tr);
    }
    $("servers-status").textContent = servers.length
      ? servers.length + " server(s)"
      : "no servers; start one with `fv server start --detach`";
    $("servers-status").className = "muted";
  } catch (err) {
    $("servers-status").textContent = "error: " + err.message;
    $("servers-status").className = "error";
  }
}

// The selected server lives in the address (#server=<id>), so a view can be bookmarked or opened directly.
function selected() {
  const m = /^#server=(\d+)$/.exec(location.hash);
  return m ? Number(m[1]) : null;
}
window.addEventListener("hashchange", () => { if (selected() !== null) loadEntities(selected()); });
loadServers();
if (selected() !== null) loadEntities(selected());
setInterval(loadServers, 5000);
"""

_BODY = """
<h1>FactoryVerse servers</h1>
<table id="servers">
  <thead><tr><th>ID</th><th>State</th><th>Backend</th><th>RCON</th><th>Game UDP</th><th>Snapshot UDP</th>
  <th>Agent UDP</th><th>Port notes</th><th>Seed</th><th>Mode</th><th>Started</th><th></th></tr></thead>
  <tbody id="servers-body"></tbody>
</table>
<p id="servers-status" class="muted">loading...</p>
<h2 id="entities-title">Entities</h2>
<p id="entities-status" class="muted">pick a server</p>
<table id="entities">
  <thead><tr><th>Unit</th><th>Name</th><th>Type</th><th>X</th><th>Y</th><th>Direction</th><th>Force</th></tr></thead>
  <tbody id="entities-body"></tbody>
</table>
"""


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


PAGE_HTML = (
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>FactoryVerse</title>"
    f"<style>{_STYLE}</style></head><body>{_BODY}<script>{_SCRIPT}</script></body></html>\n"
)

# Hashes rather than 'unsafe-inline': only this page's own style and script may run, and it may fetch only /api.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; script-src {_sha256(_SCRIPT)}; style-src {_sha256(_STYLE)}; "
    "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
