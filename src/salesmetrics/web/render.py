"""Rendering pages: the Jinja2 environment (autoescaped) and what every page's template gets.

Every template gets the request's user, its URL state (:class:`ViewState`), the language, the
CSRF token of the browser, ``w(key)`` for the app's words, ``words`` for the review
packs' words (value, target, status, ...), ``link(path, **changes)`` for
links that keep the state and ``in_language(code)`` for this very page in another language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from salesmetrics.errors import UserError
from salesmetrics.reports.locale import WORDS
from salesmetrics.web.access import scope
from salesmetrics.web.sessions import CSRF_FIELD, CSRF_HEADER
from salesmetrics.web.state import ViewState
from salesmetrics.web.words import LANGS, word

TEMPLATES = Path(__file__).parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _state(request: Request) -> ViewState:
    try:
        return ViewState.of(request)
    except UserError:
        return ViewState()


def _in_language(request: Request, lang: str) -> str:
    """This page's URL, every query parameter kept (a drill-down's metric and group, a
    calculator's inputs, ...), in ``lang``."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    if lang != "en":
        pairs.append(("lang", lang))
    query = urlencode(pairs)
    return request.url.path + (f"?{query}" if query else "")


def render(
    request: Request,
    template: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """``template`` rendered for ``request`` with ``context``."""
    state: ViewState = context.pop("state", None) or _state(request)
    lang = state.lang
    user = getattr(request.state, "user", None)
    nonce = getattr(request.state, "csrf_nonce", "")
    signer = request.app.state.signer
    page = _env.get_template(template).render(
        request=request,
        user=user,
        scope=scope(user) if user else {},
        state=state,
        lang=lang,
        langs=LANGS,
        csrf_field=CSRF_FIELD,
        csrf_header=CSRF_HEADER,
        csrf_token=signer.csrf_token(nonce) if nonce else "",
        w=lambda key, **values: word(key, lang, **values),
        words={key: text.get(lang) for key, text in WORDS.items()},
        link=state.link,
        in_language=lambda code: _in_language(request, code),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(page, status_code=status, headers=headers)


def render_error(
    request: Request, status: int, detail: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """The error page: the status and its one line."""
    return render(request, "error.html.j2", status, headers, code=status, detail=detail)
