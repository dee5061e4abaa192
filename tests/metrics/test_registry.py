"""The registry, glossary, generated docs and configured targets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from salesmetrics import docs, glossary
from salesmetrics.config import config_from_dict
from salesmetrics.errors import ConfigError, UserError
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics.families import registry as family_registry
from salesmetrics.metrics.registry import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
SPEC_SECTIONS = {
    reg.Section.REVENUE: {
        "total_revenue",
        "revenue_growth",
        "average_deal_size",
        "recognized_revenue",
    },
    reg.Section.CONVERSION: {
        "lead_conversion_rate",
        "lead_to_customer_rate",
        "opportunity_conversion_rate",
        "win_rate",
        "win_rate_by_value",
        "sales_cycle_length",
        "time_in_stage",
        "stage_conversion",
    },
    reg.Section.PIPELINE: {
        "qualified_leads",
        "pipeline_velocity",
        "pipeline_coverage",
        "weighted_pipeline",
        "deal_slippage_rate",
        "sales_forecast_accuracy",
        "pipeline_flow",
        "forecast_bias",
    },
    reg.Section.CUSTOMERS: {
        "new_customers",
        "customer_acquisition_cost",
        "customer_lifetime_value",
        "ltv_to_cac",
        "cac_payback_months",
        "customer_churn_rate",
        "net_customer_churn_rate",
        "customer_retention_rate",
    },
    reg.Section.MARKETING: {
        "marketing_spend",
        "sales_spend",
        "cost_per_lead",
        "cost_per_qualified_lead",
        "mrr_growth_rate",
    },
    reg.Section.RECURRING: {
        "mrr",
        "arr",
        "mrr_new",
        "mrr_expansion",
        "mrr_contraction",
        "mrr_churn",
        "mrr_reactivation",
        "net_revenue_retention",
        "gross_revenue_retention",
        "revenue_churn_rate",
        "quick_ratio",
        "arpa",
    },
    reg.Section.TEAM: {
        "quota_attainment",
        "quota_attainment_rate",
        "sales_rep_productivity",
        "time_spent_selling",
        "activities_per_rep",
    },
    reg.Section.ENGAGEMENT: {"customer_engagement_score", "enps", "pulse_score"},
}


def test_registry_holds_the_metrics_of_this_release_by_section() -> None:
    for section, ids in SPEC_SECTIONS.items():
        assert {m.id for m in REGISTRY.values() if m.section is section} == ids


@pytest.mark.parametrize("metric_id", list(REGISTRY))
def test_every_metric_is_fully_declared(metric_id: str) -> None:
    m = REGISTRY[metric_id]
    for text in (m.name, m.definition, m.why, m.example.text):
        assert (text.en.strip() and text.id.strip() and text.en != text.id) or m.id == "enps"
    assert m.formula and m.owners and m.cadence and m.tables and m.null_note
    families = family_registry()
    for basis in m.bases or (None,):
        assert all(f in families for f in m.families_for(basis))
    if m.drill:
        family, kind = m.drill.split(".")
        assert kind in families[family].drills
    assert re.fullmatch(r"[a-z_]+", m.id)


def test_every_registered_metric_is_in_the_spec() -> None:
    spec = ROOT.parent / "shared/spec/metrics.md"
    if not spec.exists():
        pytest.skip("spec not found")
    cells = re.findall(
        r"^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \|", spec.read_text(encoding="utf-8"), re.M
    )
    ids = {i for cell in cells for i in re.findall(r"`([a-z_]+)`", cell)}
    assert set(REGISTRY) <= ids


def test_every_metric_of_the_specs_marketing_section_is_registered_in_it() -> None:
    spec = ROOT.parent / "shared/spec/metrics.md"
    if not spec.exists():
        pytest.skip("spec not found")
    text = spec.read_text(encoding="utf-8")
    section = text.split("## Marketing", 1)[1].split("\n## ", 1)[0]
    ids = set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))
    assert ids == SPEC_SECTIONS[reg.Section.MARKETING]


def test_the_dashboard_names_registered_metrics() -> None:
    assert set(reg.DASHBOARD) <= set(REGISTRY)


def test_lookup_suggests_close_matches() -> None:
    with pytest.raises(UserError, match=r"did you mean 'win_rate'"):
        reg.get("winrate")
    with pytest.raises(UserError, match="known metrics: total_revenue"):
        reg.get("zzz")
    assert [m.id for m in reg.resolve(["win_rate", "win_rate", "enps"])] == ["win_rate", "enps"]


def test_default_targets_of_the_spec() -> None:
    ltv = REGISTRY["ltv_to_cac"].default_target
    payback = REGISTRY["cac_payback_months"].default_target
    assert (
        ltv is not None
        and ltv.value == 3
        and REGISTRY["ltv_to_cac"].direction.value.startswith("higher")
    )
    assert payback is not None and payback.value == 12
    assert REGISTRY["cac_payback_months"].direction is reg.Direction.LOWER


def test_every_default_target_of_the_spec_is_declared_once() -> None:
    assert set(reg.DEFAULT_TARGETS) == {
        "ltv_to_cac",
        "pipeline_coverage",
        "net_revenue_retention",
        "quick_ratio",
        "cac_payback_months",
    }
    for metric_id, target in reg.DEFAULT_TARGETS.items():
        assert REGISTRY[metric_id].default_target is target
    declared = {m.id for m in REGISTRY.values() if m.default_target is not None}
    assert declared <= set(reg.DEFAULT_TARGETS)


def test_targets_in_config_are_validated() -> None:
    def ids() -> dict[str, reg.Metric]:
        return REGISTRY

    config = config_from_dict(
        {
            "targets": {
                "win_rate": {"default": 0.3, "team": {"East": 0.35}},
                "pipeline_coverage": {"default": 3},
            }
        },
        metric_ids=ids,
    )
    assert config.targets["win_rate"].team == {"East": 0.35}
    with pytest.raises(ConfigError, match=r"key 'targets.win_rte'.*did you mean 'win_rate'"):
        config_from_dict({"targets": {"win_rte": {"default": 0.3}}}, metric_ids=ids)
    with pytest.raises(ConfigError, match=r"unknown key 'targets.win_rate.teams'.*'team'"):
        config_from_dict({"targets": {"win_rate": {"teams": {"East": 0.3}}}}, metric_ids=ids)
    with pytest.raises(ConfigError, match=r"targets.win_rate.default"):
        config_from_dict({"targets": {"win_rate": {"default": "high"}}}, metric_ids=ids)


def test_glossary_entries_in_both_languages() -> None:
    en = glossary.entry_text("customer_churn_rate", "en")
    id_ = glossary.entry_text("customer_churn_rate", "id")
    assert "Customer churn rate" in en and "500 customers" in en and "operations (COO)" in en
    assert "Tingkat churn pelanggan" in id_ and "Penanggung jawab" in id_ and "bulanan" in id_
    assert "≤ 12.0 mo" in glossary.entry_text("cac_payback_months")
    with pytest.raises(UserError):
        glossary.overview("fr")


def test_generated_docs_are_up_to_date() -> None:
    path = ROOT / "docs" / "metrics.md"
    assert path.read_text(encoding="utf-8") == docs.render(), "run make docs"
    for metric_id in REGISTRY:
        assert f"`{metric_id}`" in path.read_text(encoding="utf-8")
