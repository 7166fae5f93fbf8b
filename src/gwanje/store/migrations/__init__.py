"""Alembic migrations of Gwanje's database, run by ``Store.open`` (see ``gwanje.store.migrate``)."""
