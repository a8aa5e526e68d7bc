"""Additive migration at engine start. The schema comes from create_all,
which creates missing tables but never touches an existing one, so a store
file from an older version would lack the columns added since. Each missing
column is added with its server default (and its index); anything else (a renamed or
retyped column) is out of scope and needs a real migration."""

from sqlalchemy import Engine, inspect
from sqlalchemy.schema import CreateColumn
from sqlmodel import SQLModel


def add_missing_columns(engine: Engine) -> list[str]:
    """Add every column the tables declare and the database lacks; returns
    them as `table.column`."""
    quote = engine.dialect.identifier_preparer.quote
    added: list[str] = []
    with engine.begin() as conn:
        # On the transaction's own connection: SQLite's writer lock is taken at BEGIN.
        inspector = inspect(conn)
        for table in SQLModel.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                if not column.nullable and column.server_default is None:
                    raise RuntimeError(
                        f"the store's table {table.name} lacks column {column.name}, which has no default to fill "
                        "existing rows with; migrate it by hand"
                    )
                ddl = CreateColumn(column).compile(dialect=engine.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {ddl}")
                added.append(f"{table.name}.{column.name}")
            # The index of a column added now, or it would be queried by scanning.
            for index in table.indexes:
                if any(f"{table.name}.{column.name}" in added for column in index.columns):
                    index.create(conn)
                    added.append(f"{table.name}.{index.name}")
    return added
