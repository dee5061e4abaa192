"""Quality bar P6: backend queries of the P1 review, bounded by the number of families.

Counted at the backend (DuckDB's query log: data queries, apart from schema lookups), per
evaluation of the review, against the families its values came from (a family summed from the
cube of an earlier evaluation of the same periods issues no query: the cost moved there).
Materialisations of whole-history intermediates (:mod:`salesmetrics.derived`) are counted
apart: they run once per data version (in the review's first evaluation), and the bar fails if
there are more of them than families. The bar holds when no evaluation issues more than
``TARGET`` data queries per family, and the count does not change when the periods grow (4
quarters → 12 months, same grouping). The groups do not add queries either: a call by team or
by rep issues fewer than the company-wide call of the same periods (its additive families are
summed from the cubes that call computed), never more than the bound. The review is recorded
in its first session; a later one reads the components kept per period (one read per family).
"""

from __future__ import annotations

from collections.abc import Sequence

from bench import querylog
from bench.results import Figure
from bench.review import Evaluation

TARGET = 2.0


def families_run(evaluation: Evaluation) -> list[str]:
    """The families ``evaluation``'s values came from: by their own query, or summed from a
    cube an earlier evaluation of the same periods computed (which issued its query)."""
    return list(evaluation.families)


def period_invariant(evaluations: Sequence[Evaluation]) -> bool:
    """Whether evaluations with the same grouping issued the same number of data queries,
    whatever their number of periods."""
    seen: dict[tuple[str, ...], set[int]] = {}
    for e in evaluations:
        seen.setdefault(e.request.by, set()).add(len(querylog.QueryLog(e.statements).data))
    return all(len(counts) == 1 for counts in seen.values())


def figure(evaluations: Sequence[Evaluation]) -> Figure:
    """P6 as a figure: the largest data-queries-per-family ratio of any evaluation (the bar
    fails too if the counts vary with the number of periods)."""
    rows = []
    worst = 0.0
    for e in evaluations:
        fams = families_run(e)
        counts = querylog.tally(e.statements)
        ratio = counts["data"] / max(len(fams), 1)
        worst = max(worst, ratio)
        rows.append(
            {
                "request": e.request.label,
                "families": len(fams),
                "engine_queries": len(e.queries),
                "backend_statements": counts,
                "data_queries_per_family": round(ratio, 3),
            }
        )
    invariant = period_invariant(evaluations)
    families = {f for e in evaluations for f in families_run(e)}
    total = sum(r["backend_statements"]["data"] for r in rows)  # type: ignore[index]
    derived = sum(r["backend_statements"]["derived"] for r in rows)  # type: ignore[index]
    figure = Figure(
        bar="P6",
        title="backend queries",
        measured=f"{total} data queries + {derived} materialisations in {len(rows)} evaluations,"
        f" max/family {worst:.2f}",
        ratio=worst,
        target=TARGET,
        op="<=",
        details={"evaluations": rows, "same_count_for_4_and_12_periods": invariant},
    )
    if not invariant:
        figure.check_failed = True
        figure.note = "the number of data queries changed with the number of periods"
    elif derived > len(families):
        figure.check_failed = True
        figure.note = f"{derived} materialisations for {len(families)} families"
    return figure
