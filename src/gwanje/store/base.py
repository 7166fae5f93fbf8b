"""The declarative base every table of Gwanje's database derives from (one metadata, one migration chain)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Base of all ORM tables."""
