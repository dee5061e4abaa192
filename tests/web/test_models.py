"""The API's answer models made from dataclasses (:mod:`salesmetrics.web.models`): the
dataclass's field types, every field required, a property's return type, a type given in its
place, fields added after; and an answer filled from an instance."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from pydantic import ValidationError

from salesmetrics.web.models import answer_of, model_of


@dataclass(frozen=True)
class _Done:
    name: str
    count: int = 0
    when: float | None = None
    tags: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def large(self) -> bool:
        return self.count > 10


def test_a_model_has_the_dataclass_fields_and_types_every_one_required() -> None:
    model = model_of("DoneAnswer", "What was done.", _Done, module=__name__)
    assert model.__name__ == "DoneAnswer" and model.__doc__ == "What was done."
    schema = model.model_json_schema()
    assert schema["required"] == ["name", "count", "when", "tags", "extra"]
    assert schema["properties"]["count"]["type"] == "integer"
    assert schema["properties"]["tags"] == {
        "items": {"type": "string"},
        "title": "Tags",
        "type": "array",
    }
    with pytest.raises(ValidationError):
        model.model_validate({"name": "a", "count": 1, "tags": [], "extra": {}})  # no 'when'


def test_chosen_fields_a_property_a_type_in_place_and_added_fields() -> None:
    model = model_of(
        "Chosen", "Some.", _Done, ("count", "large", "when"), module=__name__, when=str, total=int
    )
    assert list(model.model_fields) == ["count", "large", "when", "total"]
    props = model.model_json_schema()["properties"]
    assert [props[n]["type"] for n in model.model_fields] == [
        "integer",
        "boolean",
        "string",
        "integer",
    ]
    done = _Done("x", 12, 1.5)
    answer = answer_of(model, done, when="noon", total=3)
    assert answer == {"count": 12, "large": True, "when": "noon", "total": 3}
    model.model_validate(answer)
