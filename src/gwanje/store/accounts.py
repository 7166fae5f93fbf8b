"""Users and browser sessions in the database (``Store.accounts``). Password hashing lives above, in the API."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gwanje.core.clock import Clock
from gwanje.store.models import SessionRow, UserRow

ROLES = ("viewer", "operator", "admin")


class UserExists(ValueError):
    """A user with this name is already stored."""


@dataclass(frozen=True)
class UserRecord:
    id: int
    name: str
    role: str
    password_hash: str
    created_at: float
    password_changed_at: float
    failed_logins: int
    locked_until: float | None


def _user(row: UserRow) -> UserRecord:
    return UserRecord(
        row.id,
        row.name,
        row.role,
        row.password_hash,
        row.created_at,
        row.password_changed_at,
        row.failed_logins,
        row.locked_until,
    )


class AccountStore:
    """Thread-safe like ``Store``: each method runs in its own short transaction."""

    def __init__(self, session: Callable[[], AbstractContextManager[Session]], clock: Clock) -> None:
        self._session = session
        self._clock = clock

    # ---- users --------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password_hash: str) -> UserRecord:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        now = self._clock.time()
        row = UserRow(
            name=name, role=role, password_hash=password_hash, created_at=now, password_changed_at=now, failed_logins=0
        )
        try:
            with self._session() as s:
                s.add(row)
                s.flush()
                return _user(row)
        except IntegrityError:
            raise UserExists(f"a user named {name!r} exists already") from None

    def get_user(self, name: str) -> UserRecord | None:
        with self._session() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            return None if row is None else _user(row)

    def list_users(self) -> list[UserRecord]:
        with self._session() as s:
            return [_user(r) for r in s.scalars(select(UserRow).order_by(UserRow.name))]

    def count_users(self) -> int:
        with self._session() as s:
            return int(s.scalar(select(func.count()).select_from(UserRow)) or 0)

    def set_password(self, user_id: int, password_hash: str, keep_session: str | None = None) -> None:
        """Replace the hash and end every other session of the user (a stolen session dies with the old password)."""
        with self._session() as s:
            s.execute(
                update(UserRow)
                .where(UserRow.id == user_id)
                .values(password_hash=password_hash, password_changed_at=self._clock.time(), failed_logins=0)
            )
            query = delete(SessionRow).where(SessionRow.user_id == user_id)
            if keep_session is not None:
                query = query.where(SessionRow.id != keep_session)
            s.execute(query)

    def login_failed(self, user_id: int, max_failures: int, lockout_s: float) -> float | None:
        """Count a failed password; returns the lock's end when this failure reaches ``max_failures``."""
        with self._session() as s:
            row = s.get(UserRow, user_id, with_for_update=True)
            if row is None:
                return None
            row.failed_logins += 1
            if row.failed_logins >= max_failures:
                row.failed_logins = 0
                row.locked_until = self._clock.time() + lockout_s
                return row.locked_until
            return None

    def login_succeeded(self, user_id: int) -> None:
        with self._session() as s:
            s.execute(update(UserRow).where(UserRow.id == user_id).values(failed_logins=0, locked_until=None))

    # ---- sessions -----------------------------------------------------------------------------

    def create_session(self, session_id: str, user_id: int, lifetime_s: float) -> None:
        now = self._clock.time()
        with self._session() as s:
            s.execute(delete(SessionRow).where(SessionRow.expires_at < now))  # keep the table small
            s.add(
                SessionRow(id=session_id, user_id=user_id, created_at=now, last_seen=now, expires_at=now + lifetime_s)
            )

    def session_user(self, session_id: str, idle_s: float) -> UserRecord | None:
        """The session's user while the session is neither expired nor idle longer than ``idle_s``; marks it seen."""
        now = self._clock.time()
        with self._session() as s:
            found = s.execute(
                select(SessionRow, UserRow)
                .join(UserRow, UserRow.id == SessionRow.user_id)
                .where(SessionRow.id == session_id)
            ).first()
            if found is None:
                return None
            session, user = found
            if session.expires_at <= now or session.last_seen + idle_s <= now:
                s.delete(session)
                return None
            session.last_seen = now
            return _user(user)

    def end_session(self, session_id: str) -> None:
        with self._session() as s:
            s.execute(delete(SessionRow).where(SessionRow.id == session_id))
