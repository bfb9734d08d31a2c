"""What a map database holds, read from DuckDB's own catalog: every table and view, its columns and their COMMENTs.

Read from the catalog rather than from the schema module's definitions, so it describes whatever the file
actually has (an older layout, tables another version added) and stays right as the schema grows.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from .errors import DatabaseError

__all__ = ["ColumnInfo", "TableInfo", "describe_schema"]


@dataclass(frozen=True)
class ColumnInfo:
    """One column; `type` names an ENUM by its type name (`recipe`), not by its list of members."""

    name: str
    type: str
    nullable: bool
    comment: str | None


@dataclass(frozen=True)
class TableInfo:
    """One table or view (`kind`) of the database's main schema, its columns in their order."""

    name: str
    kind: str
    comment: str | None
    columns: tuple[ColumnInfo, ...]

    def uncommented(self) -> list[str]:
        """The names still lacking a meaning: the table itself ("" for it) and its columns."""
        missing = [""] if not self.comment else []
        return missing + [c.name for c in self.columns if not c.comment]


def _enum_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """ENUM('a', 'b', ...) as duckdb_columns spells a column's type -> the ENUM type's name."""
    names = [row[0] for row in con.execute(
        "SELECT type_name FROM duckdb_types() WHERE logical_type = 'ENUM' AND NOT internal "
        "AND database_name = current_database() AND schema_name = 'main'"
    ).fetchall()]
    return {str(con.sql(f'SELECT NULL::"{name}"').types[0]): name for name in names}


def _readable(data_type: str, enums: dict[str, str]) -> str:
    # Longest first, so an ENUM whose members are a prefix of another's is not matched inside it.
    for spelled in sorted(enums, key=len, reverse=True):
        if spelled in data_type:
            data_type = data_type.replace(spelled, enums[spelled])
    return data_type


def _empty(text: str | None) -> str | None:
    return text if text and text.strip() else None


def describe_schema(con: duckdb.DuckDBPyConnection) -> list[TableInfo]:
    """Every table and view of the main schema, by name, with its columns, types and COMMENTs (None: none)."""
    try:
        enums = _enum_names(con)
        relations = con.execute(
            "SELECT table_name, 'table', comment FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary "
            "UNION ALL SELECT view_name, 'view', comment FROM duckdb_views() "
            "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary "
            "ORDER BY 1"
        ).fetchall()
        columns = con.execute(
            "SELECT table_name, column_name, data_type, is_nullable, comment FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal "
            "ORDER BY table_name, column_index"
        ).fetchall()
    except duckdb.Error as exc:
        raise DatabaseError(f"reading the database's catalog failed: {exc}") from exc
    by_table: dict[str, list[ColumnInfo]] = {}
    for table, name, data_type, nullable, comment in columns:
        by_table.setdefault(table, []).append(ColumnInfo(name, _readable(data_type, enums), bool(nullable),
                                                         _empty(comment)))
    return [TableInfo(name, kind, _empty(comment), tuple(by_table.get(name, ())))
            for name, kind, comment in relations]
