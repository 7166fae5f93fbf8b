"""Camera groups (``Store.groups``): which cameras a user below admin may see.

While no group exists nobody is restricted (a deployment upgraded from before groups keeps working); once the
first group is saved, a viewer or operator sees only the cameras of the groups they are in, and none when in no
group. Admins always see every camera; that rule lives above, where roles are known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gwanje.core.clock import Clock
from gwanje.store.models import CameraGroupCameraRow, CameraGroupMemberRow, CameraGroupRow, UserRow

GROUP_NAME = re.compile(r"^[^\s\x00-\x1f\x7f]{1,64}$")


@dataclass(frozen=True)
class GroupRecord:
    name: str
    cameras: tuple[str, ...]
    members: tuple[str, ...]
    """User names."""


class GroupStore:
    """Thread-safe like ``Store``: each method runs in its own short transaction."""

    def __init__(self, session: Callable[[], AbstractContextManager[Session]], clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def save_group(self, name: str, cameras: Iterable[str], members: Iterable[str]) -> GroupRecord:
        """Create the group or replace its cameras and members. Raises ValueError for a bad name or unknown user."""
        if not GROUP_NAME.match(name):
            raise ValueError(f"a group name has 1 to 64 characters without spaces, got {name!r}")
        camera_ids = sorted(set(cameras))
        names = sorted(set(members))
        with self._session() as s:
            users = {n: i for n, i in s.execute(select(UserRow.name, UserRow.id).where(UserRow.name.in_(names)))}
            unknown = [n for n in names if n not in users]
            if unknown:
                raise ValueError(f"no such user(s): {', '.join(unknown)}")
            group = s.scalar(select(CameraGroupRow).where(CameraGroupRow.name == name))
            if group is None:
                group = CameraGroupRow(name=name, created_at=self._clock.time())
                s.add(group)
                s.flush()
            s.execute(delete(CameraGroupCameraRow).where(CameraGroupCameraRow.group_id == group.id))
            s.execute(delete(CameraGroupMemberRow).where(CameraGroupMemberRow.group_id == group.id))
            s.add_all(CameraGroupCameraRow(group_id=group.id, camera_id=c) for c in camera_ids)
            s.add_all(CameraGroupMemberRow(group_id=group.id, user_id=users[n]) for n in names)
        return GroupRecord(name, tuple(camera_ids), tuple(names))

    def delete_group(self, name: str) -> bool:
        with self._session() as s:
            group = s.scalar(select(CameraGroupRow).where(CameraGroupRow.name == name))
            if group is None:
                return False
            s.execute(delete(CameraGroupCameraRow).where(CameraGroupCameraRow.group_id == group.id))
            s.execute(delete(CameraGroupMemberRow).where(CameraGroupMemberRow.group_id == group.id))
            s.delete(group)
            return True

    def list_groups(self) -> list[GroupRecord]:
        with self._session() as s:
            groups = s.execute(select(CameraGroupRow.id, CameraGroupRow.name).order_by(CameraGroupRow.name)).all()
            cameras = s.execute(select(CameraGroupCameraRow.group_id, CameraGroupCameraRow.camera_id)).all()
            members = s.execute(
                select(CameraGroupMemberRow.group_id, UserRow.name).join(
                    UserRow, UserRow.id == CameraGroupMemberRow.user_id
                )
            ).all()
        return [
            GroupRecord(
                name,
                tuple(sorted(c for g, c in cameras if g == gid)),
                tuple(sorted(u for g, u in members if g == gid)),
            )
            for gid, name in groups
        ]

    def cameras_of(self, user_name: str) -> frozenset[str] | None:
        """The cameras ``user_name`` may see through their groups; None while no group exists (no restriction)."""
        with self._session() as s:
            if not s.scalar(select(func.count()).select_from(CameraGroupRow)):
                return None
            rows = s.scalars(
                select(CameraGroupCameraRow.camera_id)
                .join(CameraGroupMemberRow, CameraGroupMemberRow.group_id == CameraGroupCameraRow.group_id)
                .join(UserRow, UserRow.id == CameraGroupMemberRow.user_id)
                .where(UserRow.name == user_name)
            )
            return frozenset(rows)
