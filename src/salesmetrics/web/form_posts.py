"""A form's post answered the same way on every page: save the entry, then show the form again
with what was saved; for a bad entry (a :class:`~salesmetrics.errors.UserError`), the form again
with the one-line error and the values entered, so that nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi.responses import Response
from pydantic import BaseModel

from salesmetrics.errors import UserError


def answered(
    entry: BaseModel,
    save: Callable[[], Mapping[str, Any]],
    show: Callable[..., Response],
    done: Callable[..., Response] | None = None,
) -> Response:
    """``save()``, then ``done`` (default ``show``) called with the form's ``values`` (the
    ``entry`` posted) and what ``save`` returned; on a UserError, ``show`` called with the
    ``values`` and the ``error`` (which ``show`` answers with a 400)."""
    values = entry.model_dump()
    try:
        saved = save()
    except UserError as error:
        return show(error=str(error), values=values)
    return (done or show)(values=values, **saved)
