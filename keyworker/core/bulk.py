"""Writing the same columns of many rows at once: one UPDATE statement run for every row (executemany).

Django's `bulk_update` builds a CASE WHEN per column over the whole batch: its cost in Python grows with rows times
columns (a minute for 1,350 children with a few JSON columns on a busy machine). One prepared statement with a
row of parameters each is the same one round of work for the database and a fraction of it for Python.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Model


def rows_update(model: type[Model], records: Sequence[Any], fields: Sequence[str], *, bump_version: bool = False) -> int:
    """Save `fields` of each record (one statement, run once per row by the driver); `bump_version` also raises each
    row's `version` by one in the database. Returns the number of rows sent."""
    if not records or not fields and not bump_version:
        return 0
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    sets = [f"{qn(c.column)} = %s" for c in columns]
    if bump_version:
        sets.append(f"{qn('version')} = {qn('version')} + 1")
    # Names come from the model and are quoted; every value is a parameter.
    sql = f"UPDATE {qn(meta.db_table)} SET {', '.join(sets)} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608
    params = [[c.get_db_prep_save(getattr(r, c.attname), connection) for c in columns] + [r.pk] for r in records]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)
