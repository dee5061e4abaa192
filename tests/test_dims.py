"""Group dimensions: declared once per entity, every family's set derived from them."""

from __future__ import annotations

import pytest

from salesmetrics import dims, schema
from salesmetrics.errors import UserError
from salesmetrics.metrics.families import registry


@pytest.mark.parametrize("entity", [dims.REP, dims.ACCOUNT])
def test_each_entity_dimension_reads_a_column_of_its_table(entity: dims.Entity) -> None:
    columns = schema.table(entity.table).column_names
    assert entity.key in columns
    assert set(entity.columns.values()) <= set(columns)
    assert entity.dims <= set(dims.DIMENSIONS)


def test_the_fact_sets_follow_the_groups_of_metrics_md() -> None:
    assert dims.ACCOUNT_OWNER in schema.table("accounts").column_names
    rep = {"rep", "team", "manager", "region"}
    assert rep == dims.REP_DIMS
    # a deal's region is its owner's; its segment and industry are its account's
    assert {"segment", "industry"} == dims.ACCOUNT_DIMS
    # and the CRM pipeline a preset keeps (issue 25)
    assert rep | {"segment", "industry", "source", "product", "pipeline", "type"} == dims.DEAL_DIMS
    # metrics.md "Marketing": a lead's channel is its source (mapped), a customer's its first
    # touch, a cost's its own
    assert rep | {"segment", "industry", "source", "channel"} == dims.LEAD_DIMS
    assert rep | {"type"} == dims.ACTIVITY_DIMS
    assert rep | {"segment", "industry", "channel"} == dims.CUSTOMER_DIMS
    assert {"channel"} == dims.COST_DIMS
    assert dims.CUSTOMER_DIMS | {"plan", "first_plan"} == dims.RECURRING_DIMS


def test_every_family_groups_by_known_dimensions_only() -> None:
    for family in registry().values():
        assert family.dims_supported <= set(dims.DIMENSIONS), family.name


def test_validate_keeps_order_and_refuses_unknown_names() -> None:
    assert dims.validate(["Team", "rep", "team"]) == ("team", "rep")
    assert dims.validate("segment") == ("segment",)
    with pytest.raises(UserError, match=r"unknown group dimension 'teams' \(did you mean 'team'"):
        dims.validate(["teams"])
