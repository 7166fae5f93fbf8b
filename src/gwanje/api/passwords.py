"""Password hashes (argon2id, argon2-cffi's recommended parameters) and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("gwanje: a password no user has")
"""Verified against when the user does not exist, so the answer takes as long as for a wrong password."""


class WeakPassword(ValueError):
    """A new password breaks a rule; the message says which, and never repeats the password."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; ``stored_hash`` None (no such user) costs the same time and is False."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str, user_name: str) -> None:
    """Raise WeakPassword unless ``password`` may be set for ``user_name``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip().casefold() == user_name.casefold():
        raise WeakPassword("the password must not be the user name")
