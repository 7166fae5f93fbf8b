"""The operator's web app: server-rendered pages (Jinja2) in Korean and English over the API, served by ``gwanje serve``.

Templates and static files (CSS, a little JavaScript; no CDN) ship inside this package.
"""

from gwanje.web.app import create_web_app

__all__ = ["create_web_app"]
