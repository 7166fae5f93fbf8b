"""Login, first-admin setup, logout and password change: HTML forms, each with a CSRF token."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from gwanje.api.accounts import SETUP_CODE_FILE, LoginOutcome
from gwanje.api.auth import SESSION_COOKIE
from gwanje.api.passwords import MIN_PASSWORD_LENGTH, WeakPassword
from gwanje.store.accounts import UserRecord
from gwanje.web.support import (
    PRE_COOKIE,
    accounts_of,
    client_of,
    ctx_of,
    page_user,
    pre_token,
    render,
    safe_next,
    set_cookie,
)

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=1024)]


def _redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)


@router.get("/")
def home() -> Response:
    return _redirect("/events")


@router.get("/login")
def login_form(request: Request, next: str | None = None, created: bool = False) -> Response:
    if accounts_of(request).needs_setup():
        return _redirect("/setup")
    message = "login.created" if created else None
    token = accounts_of(request).login_csrf_token(pre_token(request))
    return render(request, "login.html", form_csrf=token, next=safe_next(next), notice=message)


@router.post("/login")
def login(
    request: Request, username: Text, password: Text, csrf_token: Text = "", next: Annotated[str, Form()] = ""
) -> Response:
    accounts = accounts_of(request)
    if not accounts.login_csrf_ok(request.cookies.get(PRE_COOKIE), csrf_token):
        return _login_again(request, next, "login.expired", {}, 400)
    result = accounts.login(username, password, client_of(request))
    if result.outcome is LoginOutcome.OK and result.session_token:
        response = _redirect(safe_next(next))
        set_cookie(request, response, SESSION_COOKIE, result.session_token, accounts.session_lifetime_s)
        response.delete_cookie(PRE_COOKIE, path="/")
        return response
    if result.outcome is LoginOutcome.LOCKED:
        return _login_again(request, next, "login.locked", {"minutes": math.ceil(result.retry_after_s / 60)}, 403)
    if result.outcome is LoginOutcome.RATE_LIMITED:
        limited = _login_again(request, next, "login.rate_limited", {"seconds": math.ceil(result.retry_after_s)}, 429)
        limited.headers["Retry-After"] = str(math.ceil(result.retry_after_s))
        return limited
    return _login_again(request, next, "login.wrong", {}, 401)


def _login_again(request: Request, next: str, error: str, values: dict[str, int], status_code: int) -> Response:
    token = accounts_of(request).login_csrf_token(pre_token(request))
    return render(
        request,
        "login.html",
        status_code=status_code,
        form_csrf=token,
        next=safe_next(next),
        error=error,
        error_values=values,
    )


@router.get("/setup")
def setup_form(request: Request) -> Response:
    accounts = accounts_of(request)
    path = accounts.ensure_setup_code()
    if path is None:
        return _redirect("/login")
    return render(request, "setup.html", form_csrf=accounts.login_csrf_token(pre_token(request)), code_path=path)


@router.post("/setup")
def setup(
    request: Request, setup_code: Text, username: Text, password: Text, password_confirm: Text, csrf_token: Text = ""
) -> Response:
    accounts = accounts_of(request)
    path = accounts.ensure_setup_code()
    if path is None:
        return _redirect("/login")
    error: str | None = None
    if not accounts.login_csrf_ok(request.cookies.get(PRE_COOKIE), csrf_token):
        error = "login.expired"
    elif not accounts.check_setup_code(setup_code):
        error = "setup.wrong_code"
    elif password != password_confirm:
        error = "password.mismatch"
    else:
        try:
            accounts.create_first_admin(username, password, client_of(request))
            return _redirect("/login?created=1")
        except ValueError:
            error = "password.weak"
    return render(
        request,
        "setup.html",
        status_code=400,
        form_csrf=accounts.login_csrf_token(pre_token(request)),
        code_path=ctx_of(request).config.store.data_dir / SETUP_CODE_FILE,
        error=error,
        username=username,
        min_length=MIN_PASSWORD_LENGTH,
    )


@router.post("/logout")
def logout(request: Request, user: Annotated[UserRecord, Depends(page_user)], csrf_token: Text = "") -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    accounts = accounts_of(request)
    if not accounts.csrf_ok(token, csrf_token):
        return _redirect("/events")
    accounts.logout(token, user, client_of(request))
    response = _redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/password")
def password_form(request: Request, user: Annotated[UserRecord, Depends(page_user)]) -> Response:
    return render(request, "password.html", user, min_length=MIN_PASSWORD_LENGTH)


@router.post("/password")
def change_password(
    request: Request,
    user: Annotated[UserRecord, Depends(page_user)],
    current_password: Text,
    new_password: Text,
    new_password_confirm: Text,
    csrf_token: Text = "",
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    accounts = accounts_of(request)
    error: str | None = None
    if not accounts.csrf_ok(token, csrf_token):
        error = "login.expired"
    elif new_password != new_password_confirm:
        error = "password.mismatch"
    else:
        try:
            if accounts.change_password(user, token, current_password, new_password, client_of(request)):
                return render(request, "password.html", user, notice="password.changed", min_length=MIN_PASSWORD_LENGTH)
            error = "password.wrong"
        except WeakPassword:
            error = "password.weak"
    return render(request, "password.html", user, status_code=400, error=error, min_length=MIN_PASSWORD_LENGTH)
