"""The FastAPI application: pages, ``/api``, static assets, and the cross-cutting rules.

:func:`create_app` builds one app for one workspace folder. Cross-cutting rules live here:
every response carries security headers (a Content-Security-Policy allowing only this host's
scripts, no framing, no sniffing); every browser gets its CSRF cookie; a user error of the
engine is a 400 with its one line, a reach past the user's scope a 403, a page without a
session a redirect to the login page. Assets are served from the package (no CDN).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesmetrics.errors import UserError
from salesmetrics.web import (
    api,
    dashboards,
    desk,
    drill,
    entries_api,
    forms,
    imports,
    pages,
    surveys,
    tools,
    views,
)
from salesmetrics.web.access import ForbiddenError
from salesmetrics.web.auth import Accounts, LoginNeededError
from salesmetrics.web.render import render_error
from salesmetrics.web.service import Service
from salesmetrics.web.sessions import CSRF_COOKIE, Signer, load_secret, new_nonce
from salesmetrics.web.throttle import Throttle

STATIC = Path(__file__).parent / "static"
#: Every router of the app: the pages, the API, and data entry (imports, forms, surveys).
ROUTERS = (
    pages.router,
    api.router,
    imports.router,
    forms.router,
    surveys.router,
    imports.api_router,
    entries_api.router,
    surveys.api_router,
    dashboards.router,
    drill.router,
    tools.router,
)

#: Only this host's scripts, styles and images (the charts are inline SVG); no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


class _Headers:
    """Security headers on every response, and a CSRF cookie for every browser (a plain ASGI
    middleware: Starlette's ``BaseHTTPMiddleware`` costs a task group and a stream per
    request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        nonce = request.cookies.get(CSRF_COOKIE)
        fresh = nonce is None
        request.state.csrf_nonce = nonce or new_nonce()
        path = request.url.path
        secure = request.url.scheme == "https"

        async def send_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                if fresh and not path.startswith(("/api/", "/static/")):
                    cookie = Response()
                    cookie.set_cookie(
                        CSRF_COOKIE,
                        request.state.csrf_nonce,
                        httponly=True,
                        samesite="lax",
                        secure=secure,
                    )
                    headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_headers)


def create_app(root: Path, *, service: Service | None = None, prepare: bool = False) -> FastAPI:
    """The web app of the workspace in folder ``root``; with ``prepare``, the home dashboard
    of the default period is computed as the server starts (:func:`_prepare`)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if prepare:
            threading.Thread(target=_prepare, args=(app,), daemon=True).start()
        yield
        desk.close(app)  # the data-entry pages' writer process
        app.state.service.close()

    app = FastAPI(
        lifespan=lifespan,
        title="salesmetrics",
        summary="Sales and SaaS metrics: the engine's results, the glossary.",
        version="1",
        # the Swagger and ReDoc pages load their scripts from a CDN: left out (no CDN); the
        # OpenAPI document itself is served by api.openapi_document, behind login
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    signer = Signer(load_secret(root))
    app.state.signer = signer
    app.state.accounts = Accounts(root, signer)
    app.state.throttle = Throttle()
    app.state.service = service or Service(root)
    app.state.prepared = threading.Event()  # set once the start-up dashboard is computed
    app.state.prepared_ok = False
    app.add_middleware(_Headers)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(LoginNeededError)
    async def _login(request: Request, _: LoginNeededError) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(pages.login_link(target), status_code=303)

    @app.exception_handler(UserError)
    async def _user_error(request: Request, error: UserError) -> Response:
        return _error(request, 400, str(error))

    @app.exception_handler(ForbiddenError)
    async def _forbidden(request: Request, error: ForbiddenError) -> Response:
        return _error(request, 403, str(error))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail), error.headers)

    return app


def _prepare(app: FastAPI) -> None:
    """Compute the company's home dashboard of the default period, so that the first person
    to open it does not wait for the engine's start and the intermediates a new session
    computes (it holds the service's lock, as any request does; a request that comes first
    simply waits its turn); then freeze what is alive for the garbage collector. A failure
    is logged, never raised: the pages report it. ``app.state.prepared`` is set when it is
    done."""
    service: Service = app.state.service
    try:
        views.dashboard(service, service.default_period(), {}, "en")
        app.state.prepared_ok = True
    except Exception:
        logging.getLogger(__name__).exception("preparing the dashboard failed")
    finally:
        # What is alive now (modules, the engine's expressions and connections) lives as long
        # as the server: kept out of the collector's full passes, which otherwise walk it
        # again and again for nothing, stopping every request for a few hundred ms under load.
        gc.collect()
        gc.freeze()
        app.state.prepared.set()


def _error(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON error for the API, an error page for a page."""
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return JSONResponse({"detail": detail}, status_code=status, headers=dict(headers or {}))
    return render_error(request, status, detail, dict(headers or {}))
