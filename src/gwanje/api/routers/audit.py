"""``/api/audit``: the access log (who viewed or exported what), for administrators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from gwanje.api.deps import Admin, Ctx, Limit, Offset, text_query, unix
from gwanje.api.schemas import AuditOut

router = APIRouter(tags=["audit"])


@router.get("/api/audit", response_model=list[AuditOut], summary="Access log, newest first (admin)")
def list_audit(
    ctx: Ctx,
    _who: Admin,
    actor: Annotated[str | None, text_query("Token or user name.")] = None,
    action: Annotated[str | None, text_query("e.g. view_snapshot, view_clip, export, view_live.")] = None,
    since: Annotated[dt.datetime | None, Query(description="ISO 8601 (UTC if no zone) or UNIX seconds.")] = None,
    until: Annotated[dt.datetime | None, Query(description="ISO 8601 (UTC if no zone) or UNIX seconds.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AuditOut]:
    rows = ctx.store.list_audit(actor, action, unix(since), unix(until), limit, offset)
    return [AuditOut.of(r) for r in rows]
