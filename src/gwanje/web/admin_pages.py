"""Administration (admin role only): the users, and adding one."""

from __future__ import annotations

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
    users = [
        {"name": u.name, "role": u.role, "created": local_time(ctx, u.created_at, "")}
        for u in ctx.store.accounts.list_users()
    ]
    return render(
        request, "users.html", user, status_code, users=users, roles=ROLES, min_length=MIN_PASSWORD_LENGTH, **values
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
