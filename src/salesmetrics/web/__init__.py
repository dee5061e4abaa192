"""The web app and REST API: FastAPI, server-rendered Jinja2 pages with HTMX, served by uvicorn.

A view layer like the CLI and the review packs: it calls the workspace facade and the reports'
chart and locale layers, and computes no metric. :func:`salesmetrics.web.app.create_app` builds
the app of one workspace; ``salesmetrics serve`` runs it. Users, roles and tokens:
:mod:`salesmetrics.web.users`; what each role sees: :mod:`salesmetrics.web.access`. Every asset
(htmx, the stylesheet) is in ``static/``: nothing is loaded from another host.
"""
