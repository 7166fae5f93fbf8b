"""Administration (admin role only): the users, adding one, and the camera groups (per-camera permissions)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from gwanje.api.auth import SESSION_COOKIE, Role
from gwanje.api.passwords import MIN_PASSWORD_LENGTH, WeakPassword
from gwanje.store.accounts import ROLES, UserExists, UserRecord
from gwanje.web.support import accounts_of, client_of, ctx_of, local_time, need, render

router = APIRouter(include_in_schema=False)
Admin = Annotated[UserRecord, need(Role.ADMIN)]
Text = Annotated[str, Form(max_length=1024)]


def _users_page(request: Request, user: UserRecord, status_code: int = 200, **values: object) -> Response:
    ctx = ctx_of(request)
    groups = ctx.store.groups.list_groups()
    users = [
        {
            "name": u.name,
            "role": u.role,
            "created": local_time(ctx, u.created_at, ""),
            "groups": [g.name for g in groups if u.name in g.members],
        }
        for u in ctx.store.accounts.list_users()
    ]
    cameras = [(c.id, c.name or c.id) for c in ctx.camera_list()]
    return render(
        request,
        "users.html",
        user,
        status_code,
        users=users,
        roles=ROLES,
        min_length=MIN_PASSWORD_LENGTH,
        groups=groups,
        cameras=cameras,
        **values,
    )


@router.get("/admin/users")
def users_page(request: Request, user: Admin) -> Response:
    return _users_page(request, user)


@router.post("/admin/users")
def add_user(
    request: Request, user: Admin, username: Text, password: Text, role: Text, csrf_token: Text = ""
) -> Response:
    accounts = accounts_of(request)
    if not accounts.csrf_ok(request.cookies.get(SESSION_COOKIE, ""), csrf_token):
        return _users_page(request, user, 400, error="login.expired")
    try:
        added = accounts.create_user(username, role, password, actor=user.name, client=client_of(request))
    except WeakPassword:
        return _users_page(request, user, 400, error="password.weak")
    except UserExists:
        return _users_page(request, user, 400, error="users.exists")
    except ValueError:  # the name or the role
        return _users_page(request, user, 400, error="users.bad_name")
    return _users_page(request, user, notice="users.added", notice_values={"name": added.name})


@router.post("/admin/groups")
async def save_group(request: Request, user: Admin) -> Response:
    """Create or replace a camera group from the form (its name, the ticked cameras and members); audited."""
    form = await request.form()
    ctx, accounts = ctx_of(request), accounts_of(request)
    if not accounts.csrf_ok(request.cookies.get(SESSION_COOKIE, ""), str(form.get("csrf_token", ""))):
        return _users_page(request, user, 400, error="login.expired")
    name = str(form.get("group", "")).strip()[:64]
    known = {c.id for c in ctx.camera_list()}
    cameras = [str(c) for c in form.getlist("cameras") if str(c) in known]
    members = [str(m) for m in form.getlist("members")]
    try:
        if form.get("delete"):
            if not ctx.store.groups.delete_group(name):
                raise ValueError(name)
            ctx.store.audit(user.name, "group_delete", f"group:{name}", client_of(request))
            return _users_page(request, user, notice="groups.deleted", notice_values={"name": name})
        saved = ctx.store.groups.save_group(name, cameras, members)
    except ValueError:
        return _users_page(request, user, 400, error="groups.bad")
    detail = json.dumps({"cameras": list(saved.cameras), "members": list(saved.members)})
    ctx.store.audit(user.name, "group_save", f"group:{saved.name}", client_of(request), detail=detail)
    return _users_page(request, user, notice="groups.saved", notice_values={"name": saved.name})
