"""The API's answer models made from the dataclasses they carry, so that a field is declared once.

An answer of the API is often a product dataclass (an import's result, a logged batch) as JSON,
with a field or two added. :func:`model_of` makes its Pydantic model (what ``/openapi.json``
documents) from the dataclass's own field types, and :func:`answer_of` fills the answer from an
instance, so neither restates the dataclass field by field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, get_type_hints

from pydantic import BaseModel, create_model


def _hint(source: type, name: str, hints: dict[str, Any]) -> Any:
    if name in hints:
        return hints[name]
    member = getattr(source, name)  # a property: its return type
    return get_type_hints(member.fget)["return"]


def model_of(
    name: str,
    doc: str,
    source: type,
    fields: Sequence[str] = (),
    *,
    module: str,
    **added: Any,
) -> type[BaseModel]:
    """A model ``name`` (described by ``doc``, defined in ``module``) of the dataclass
    ``source``'s ``fields`` (default: all of them; a property may be named too) with the types
    ``source`` declares, every field required; ``added`` maps a field name to its type: a name
    of ``source`` takes that type instead (in its place), another is added after them."""
    hints = get_type_hints(source)
    names = list(fields) or [f.name for f in dataclasses.fields(source)]
    spec: dict[str, Any] = {
        n: (added.pop(n) if n in added else _hint(source, n, hints), ...) for n in names
    }
    spec |= {n: (t, ...) for n, t in added.items()}
    model: type[BaseModel] = create_model(name, __doc__=doc, __module__=module, **spec)
    return model


def answer_of(model: type[BaseModel], source: object, **added: Any) -> dict[str, Any]:
    """The JSON object of ``model`` for ``source``: each field ``source``'s attribute of that
    name, or the value given in ``added``."""
    return {n: added[n] if n in added else getattr(source, n) for n in model.model_fields}
