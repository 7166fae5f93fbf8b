"""``/docs``: the API reference as one server-rendered page, with no script and nothing from the internet.

FastAPI's Swagger UI and ReDoc pages load their scripts from a CDN, which a control centre without internet
cannot reach (and its CSP should not allow). This page lists every operation of the OpenAPI schema: method,
path, summary, roles, parameters with their ranges and the answers it declares; ``/openapi.json`` is the
machine-readable document for tools.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "h2{font-size:1.05rem;margin-top:1.6rem}code{background:#f2f2f2;padding:0 .2rem}"
    "table{border-collapse:collapse;margin:.3rem 0}td,th{border:1px solid #ccc;padding:.15rem .4rem;text-align:left}"
)
RANGE_KEYS = ("minimum", "maximum", "maxLength", "pattern", "format", "enum", "default")


def _schema_text(schema: dict[str, Any]) -> str:
    parts = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    words = []
    for part in [*parts, schema]:
        words += [str(part.get("type") or part.get("$ref", "").rsplit("/", 1)[-1])] if part is not schema else []
        words += [f"{key} {part[key]}" for key in RANGE_KEYS if key in part]
    return ", ".join(w for w in words if w)


def _operation(method: str, path: str, op: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
        f"<td>{escape(_schema_text(p.get('schema', {})))}</td><td>{escape(p.get('description', ''))}</td></tr>"
        for p in op.get("parameters", [])
    )
    params = f"<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>{rows}</table>" if rows else ""
    answers = ", ".join(
        f"<code>{escape(code)}</code> {escape(r.get('description', ''))}" for code, r in op["responses"].items()
    )
    return (
        f"<h2><code>{method.upper()} {escape(path)}</code></h2><p>{escape(op.get('summary', ''))}</p>"
        f"{params}<p>Answers: {answers}</p>"
    )


def render_docs(schema: dict[str, Any]) -> str:
    info = schema["info"]
    body = "".join(_operation(method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items())
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(info['title'])} API</title>"
        f"<style>{STYLE}</style></head><body><h1>{escape(info['title'])} API {escape(info['version'])}</h1>"
        f"<p>The OpenAPI document: <a href='/openapi.json'><code>/openapi.json</code></a>.</p>"
        f"<pre>{escape(info.get('description', ''))}</pre>{body}</body></html>"
    )


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` (create the app with ``docs_url=None, redoc_url=None``)."""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(
            render_docs(app.openapi()),
            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
        )
