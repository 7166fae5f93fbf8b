"""Migration scripts, one per revision: 0001_initial, 0002_outbox, ... (Alembic skips this file)."""
