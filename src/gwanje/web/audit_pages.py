"""The audit log page (admin role only): entries newest first, filtered by actor, action and time range in the URL,
and whether the hash chain verifies (the same check as ``gwanje audit verify``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gwanje.api.auth import Role
from gwanje.store.accounts import UserRecord
from gwanje.web.feed_filters import page_number
from gwanje.web.support import ctx_of, local_time, need, pager, render

router = APIRouter(include_in_schema=False)
Admin = Annotated[UserRecord, need(Role.ADMIN)]
PAGE_SIZE = 100
ACTIONS = (
    "login", "login_failed", "logout", "password_change", "password_change_failed", "user_add", "view_live", "view_snapshot", "view_clip",
    "export", "unmask", "zone_save", "zone_delete", "group_save", "group_delete", "channel_test",
)  # fmt: skip
"""Offered in the action filter (any other text is accepted too)."""


def _time(text: str) -> float | None:
    """A ``datetime-local`` value in the server's time zone; None when empty or not understood."""
    try:
        return dt.datetime.fromisoformat(text).timestamp() if text else None
    except ValueError:
        return None


@router.get("/admin/audit")
def audit_page(request: Request, user: Admin) -> Response:
    ctx = ctx_of(request)
    params = request.query_params
    filters = {name: params.get(name, "").strip()[:200] for name in ("actor", "action", "since", "until")}
    dropped = any(filters[k] and _time(filters[k]) is None for k in ("since", "until"))
    page = page_number(params)
    rows = ctx.store.list_audit(
        filters["actor"] or None,
        filters["action"] or None,
        _time(filters["since"]),
        _time(filters["until"]),
        PAGE_SIZE + 1,
        min((page - 1) * PAGE_SIZE, 1_000_000),
    )
    more = len(rows) > PAGE_SIZE
    entries = [
        {
            "time": local_time(ctx, r.time, ""),
            "actor": r.actor,
            "action": r.action,
            "target": r.target,
            "client": r.client or "",
            "detail": r.detail or "",
        }
        for r in rows[:PAGE_SIZE]
    ]
    report = ctx.store.verify_audit()
    query = {k: v for k, v in filters.items() if v}
    return render(
        request,
        "audit.html",
        user,
        entries=entries,
        filters=filters,
        actions=ACTIONS,
        chain={"ok": report.ok, "entries": report.entries, "head": report.head, "problems": report.problems},
        pager=pager("/admin/audit", query, page, page + 1 if more else page),
        error="feed.bad_filter" if dropped else None,
    )
