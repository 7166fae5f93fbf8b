"""``/api/audit``: the access log (who viewed or exported what), for administrators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from gwanje.api.deps import Admin, Ctx, unix
from gwanje.api.schemas import AuditOut
from gwanje.store.repo import MAX_PAGE

router = APIRouter(tags=["audit"])


@router.get("/api/audit", response_model=list[AuditOut], summary="Access log, newest first (admin)")
def list_audit(
    ctx: Ctx,
    _who: Admin,
    actor: Annotated[str | None, Query(description="Token name.")] = None,
    action: Annotated[str | None, Query(description="e.g. view_snapshot, view_clip, export, view_live.")] = None,
    since: Annotated[dt.datetime | None, Query(description="ISO 8601 (UTC if no zone) or UNIX seconds.")] = None,
    until: Annotated[dt.datetime | None, Query(description="ISO 8601 (UTC if no zone) or UNIX seconds.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditOut]:
    rows = ctx.store.list_audit(actor, action, unix(since), unix(until), limit, offset)
    return [AuditOut.of(r) for r in rows]
