"""The REMOTE view: the whole map from the DuckDB database that fv_snapshot's files fill and a SyncService keeps
current.

    view = RemoteView(snapshot_dir, udp_dispatcher=34400)
    await view.load()    # the snapshot files into DuckDB
    await view.start()   # apply the game's deltas as they arrive over UDP
    drills = view.get_entities("SELECT * FROM map_entity WHERE entity_name = 'burner-mining-drill'")
    pending = view.get_ghosts("SELECT * FROM ghost WHERE ghost_name = 'assembling-machine-1'")

Queries run on a local database, so `get_entities`, `get_ghosts` and `query` are plain calls; loading and syncing
touch files and sockets and are awaited. The objects are REMOTE: they can be looked at, not changed (a ghost can
also be removed through an agent). `udp_dispatcher` is where the SyncService listens for the game's deltas: a
port, a (host, port) pair, or None for a free port (`view.udp_port`; tell the game with
`client.configure_snapshot(udp_port=view.udp_port)`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factoryverse.sdk.entities.base import BaseEntity
from factoryverse.sdk.entities.registry import entity_class_for, remote_entity
from factoryverse.sdk.errors import InvalidArgumentError, MapDatabaseError

if TYPE_CHECKING:
    import duckdb

    from factoryverse import db

    from factoryverse.sdk.agent import Agent

__all__ = ["RemoteView"]


def _address(udp_dispatcher: Any) -> tuple[str, int]:
    if udp_dispatcher is None:
        return ("127.0.0.1", 0)
    if isinstance(udp_dispatcher, int) and not isinstance(udp_dispatcher, bool) and 0 <= udp_dispatcher < 65536:
        return ("127.0.0.1", udp_dispatcher)
    if isinstance(udp_dispatcher, tuple) and len(udp_dispatcher) == 2:
        return (str(udp_dispatcher[0]), int(udp_dispatcher[1]))
    raise InvalidArgumentError(
        f"udp_dispatcher must be a UDP port, a (host, port) pair or None, not {udp_dispatcher!r}")


def _db() -> Any:
    # Imported on first use: `import factoryverse.sdk` stays free of DuckDB for programs that never query the map.
    from factoryverse import db

    return db


class RemoteView:
    """Map-wide, read-only access to the game through its map database.

    Example: `view = RemoteView(snapshot_dir, udp_dispatcher=None); await view.load(); await view.start()`
    """

    def __init__(self, snapshot_dir: str | Path, udp_dispatcher: Any = None, db_path: str | Path | None = None, *,
                 query_timeout_s: float | None = 10.0) -> None:
        self.snapshot_dir = Path(snapshot_dir)
        self.db_path = db_path
        self.query_timeout_s = query_timeout_s
        self._host, self._port = _address(udp_dispatcher)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._sync: db.SyncService | None = None
        self._agent: Agent | None = None
        self._owner: RemoteView = self

    # --- lifecycle ------------------------------------------------------------------------------------------
    async def load(self) -> db.LoadReport:
        """Open the database (in memory unless `db_path`) and load the snapshot files into it.

        Example: `report = await view.load()`
        """
        owner = self._owner
        try:
            if owner._con is None:
                owner._con = _db().connect(owner.db_path if owner.db_path is not None else ":memory:")
            # Loading parses whole files; a thread keeps the event loop answering meanwhile.
            return await asyncio.to_thread(_db().load_snapshot, owner._con, owner.snapshot_dir)
        except _db().DatabaseError as exc:
            raise MapDatabaseError(f"cannot load the snapshot in {owner.snapshot_dir}: {exc}") from exc

    async def start(self) -> None:
        """Start applying the game's deltas (load() first); `udp_port` is where they must be sent.

        Example: `await view.start(); await game.configure_snapshot(udp_port=view.udp_port)`
        """
        owner = self._owner
        con = owner._connection()
        try:
            owner._sync = _db().SyncService(con, owner.snapshot_dir, host=owner._host, port=owner._port)
            await owner._sync.start()
        except _db().DatabaseError as exc:
            owner._sync = None
            raise MapDatabaseError(f"cannot start syncing {owner.snapshot_dir}: {exc}") from exc

    async def stop(self) -> None:
        """Stop syncing (the database stays readable).

        Example: `await view.stop()`
        """
        owner = self._owner
        sync, owner._sync = owner._sync, None
        if sync is not None:
            await sync.stop()

    async def close(self) -> None:
        """Stop syncing and close the database.

        Example: `await view.close()`
        """
        await self.stop()
        owner = self._owner
        con, owner._con = owner._con, None
        if con is not None:
            con.close()

    async def __aenter__(self) -> RemoteView:
        await self.load()
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def syncing(self) -> bool:
        """Whether start() has run and stop() has not.

        Example: `if not view.syncing: await view.start()`
        """
        return self._owner._sync is not None

    @property
    def udp_port(self) -> int:
        """The UDP port the SyncService listens on (start() first).

        Example: `await game.configure_snapshot(udp_port=view.udp_port)`
        """
        if self._owner._sync is None:
            raise MapDatabaseError("the RemoteView is not syncing; await view.start() first")
        return self._owner._sync.port

    async def wait_for_seq(self, seq: int, timeout: float = 5.0) -> int:
        """Wait until the database has applied the snapshot delta `seq` (a mutation's answer carries it).

        Example: `await view.wait_for_seq(answer['seq'])`
        """
        sync = self._owner._sync
        if sync is None:
            raise MapDatabaseError("the RemoteView is not syncing; await view.start() first")
        try:
            return await sync.wait_for_seq(seq, timeout)
        except _db().DatabaseError as exc:
            raise MapDatabaseError(f"the database did not reach seq {seq}: {exc}") from exc

    def bind(self, agent: Agent) -> RemoteView:
        """This view for one agent: the same database, with objects able to act through `agent`.

        Example: `mine = view.bind(agent)`
        """
        bound = RemoteView.__new__(RemoteView)
        bound.__dict__.update(self.__dict__)
        bound._agent = agent
        bound._owner = self._owner
        return bound

    # --- queries ----------------------------------------------------------------------------------------------
    def query(self, sql: str) -> list[dict[str, Any]]:
        """Rows of a read-only SQL query, as dicts (geometry as WKT text).

        Example: `rows = remote_view.query("SELECT * FROM resource_patch WHERE resource_name = 'iron-ore'")`
        """
        con = self._owner._connection()
        try:
            return _db().run_user_sql(con, sql, timeout_s=self.query_timeout_s)
        except _db().DatabaseError as exc:
            raise MapDatabaseError(f"{exc}", sql=sql) from exc

    def get_entities(self, sql: str) -> list[BaseEntity]:
        """Entities (REMOTE objects of their family's class) of a query over map_entity or a component table.

        Rows need `entity_key`; what the query leaves out (name, position, ...) is read from map_entity, and a
        kind's own facts (a chest's contents, a drill's output_position, a furnace's recipe) from its kind's table.

        Example: `drills = remote_view.get_entities("SELECT * FROM map_entity WHERE entity_name = 'lab'")`
        """
        rows = self._with_kind_columns(self._complete(self.query(sql), "map_entity", sql))
        return [remote_entity(row, self._agent) for row in rows]

    def get_ghosts(self, sql: str) -> list[BaseEntity]:
        """Ghosts (REMOTE ghost objects) of a query over the ghost table; they can be inspected and removed.

        Example: `pending = remote_view.get_ghosts("SELECT * FROM ghost WHERE ghost_name = 'transport-belt'")`
        """
        return [remote_entity(row, self._agent, is_ghost=True) for row in self._complete(self.query(sql), "ghost", sql)]

    def _complete(self, rows: list[dict[str, Any]], table: str, sql: str) -> list[dict[str, Any]]:
        needed = ("ghost_name", "position") if table == "ghost" else ("entity_name", "position")
        missing = [row for row in rows if any(key not in row for key in needed)]
        if not missing:
            return rows
        if any(row.get("entity_key") is None for row in missing):
            raise MapDatabaseError(
                f"the query's rows have no entity_key, so they are not {table} rows; select entity_key "
                f"(e.g. SELECT e.* FROM {table} e ...)", sql=sql)
        keys = sorted({int(row["entity_key"]) for row in missing})
        full = {r["entity_key"]: r for r in _db().run_user_sql(
            self._owner._connection(), f"SELECT * FROM {table} WHERE entity_key IN ({', '.join(map(str, keys))})")}
        out = []
        for row in rows:
            base = full.get(row.get("entity_key"))
            if base is None and row in missing:
                continue  # removed from the map since the query ran
            out.append({**(base or {}), **row})
        return out

    def _with_kind_columns(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows with their kind's own columns (a chest's contents, ...) read where the query left them out."""
        wanted: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        for row in rows:
            table = entity_class_for(row.get("entity_type"))._kind_table
            if table is not None and row.get("entity_key") is not None and any(col not in row for col in table[1]):
                wanted.setdefault(table, []).append(int(row["entity_key"]))
        found: dict[int, dict[str, Any]] = {}
        for (table, cols), keys in wanted.items():
            sql = (f"SELECT entity_key, {', '.join(cols)} FROM {table} "
                   f"WHERE entity_key IN ({', '.join(map(str, sorted(set(keys))))})")
            try:
                found.update((r["entity_key"], r) for r in _db().run_user_sql(self._owner._connection(), sql))
            except _db().DatabaseError as exc:
                raise MapDatabaseError(f"cannot read the {table} facts of the query's entities: {exc}",
                                       sql=sql) from exc
        # What the query selected itself stays as it chose it (an alias, a computed value).
        return [{**found.get(row.get("entity_key"), {}), **row} for row in rows] if found else rows

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise MapDatabaseError("the RemoteView has no database yet; await view.load() first")
        return self._con
