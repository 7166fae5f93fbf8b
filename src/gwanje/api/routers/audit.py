"""``/api/audit``: the access log (who viewed or exported what), for administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from gwanje.api.deps import Admin, Ctx, Limit, Offset, text_query, time_query, unix
from gwanje.api.responses import AUTHENTICATED, errors
from gwanje.api.schemas import AuditOut

router = APIRouter(tags=["audit"], responses=errors(*AUTHENTICATED))


@router.get("/api/audit", response_model=list[AuditOut], summary="Access log, newest first (admin)")
def list_audit(
    ctx: Ctx,
    _who: Admin,
    actor: Annotated[str | None, text_query("Token or user name.")] = None,
    action: Annotated[str | None, text_query("e.g. view_snapshot, view_clip, export, view_live.")] = None,
    since: Annotated[str | None, time_query("At or after this time.")] = None,
    until: Annotated[str | None, time_query("At or before this time.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AuditOut]:
    rows = ctx.store.list_audit(actor, action, unix(since, "since"), unix(until, "until"), limit, offset)
    return [AuditOut.of(r) for r in rows]
