"""Survey anonymity against subtraction (metrics.md, ``enps`` and ``pulse_score``).

Hand-made survey answers, one quarter per case: one small team; two small teams; a small team
whose complement is a single other team; answers without a team and a tie; pulse questions
whose small groups differ. The attacker takes every output the engine gives for them (values,
components, company-wide and by team, by other dimensions, comparisons with the previous period
and last year, drill-downs), writes each shown figure as a linear equation over the true
components of the (period, question, team) cells, and tries every subtraction those equations
allow (rank of the system): no suppressed cell, and no set of suppressed cells holding fewer
than ``min_survey_group`` respondents, may be recovered, and no comparison may give a
suppressed value. The truth it is checked against is counted here from the rows inserted.

Attacks across requests of different grains or overlapping custom ranges (a quarter by team
minus its months) are outside the rule: metrics.md applies it within a result and a request.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pytest

from salesmetrics.errors import UserError
from salesmetrics.metrics import anonymity
from salesmetrics.metrics.drill import drill_result
from salesmetrics.workspace import Workspace
from tests.metrics.builder import insert

MINIMUM = 5
TEAMLESS = None
#: Respondents per team answering the eNPS question, per quarter (the cases).
ENPS: dict[str, dict[str | None, int]] = {
    "2024-Q1": {"East": 3, "West": 10, "North": 12},  # one small team
    "2024-Q2": {"East": 2, "South": 3, "West": 10},  # two small teams, 5 together
    "2024-Q3": {"East": 3, "West": 10},  # the small team's complement is one team
    "2024-Q4": {TEAMLESS: 2, "West": 7, "North": 7, "South": 9},  # no team; a tie
    "2025-Q1": {"East": 6, "West": 6},  # nothing small: last year's comparison
}
#: What must be hidden in each case (the smallest groups until they hold 5 together).
HIDDEN: dict[str, set[str | None]] = {
    "2024-Q1": {"East", "West"},
    "2024-Q2": {"East", "South"},
    "2024-Q3": {"East", "West"},
    "2024-Q4": {TEAMLESS, "North"},  # North before West on the tie (result order)
    "2025-Q1": set(),
}
#: Respondents per (question, team) of the pulse questions, per quarter.
PULSE: dict[str, dict[str, dict[str | None, int]]] = {
    "2024-Q1": {
        "tools": {"East": 3, "West": 10, "North": 12},
        "growth": {"East": 6, "West": 4, "North": 12},  # another small team per question
    },
    "2024-Q2": {"tools": {"East": 2, "West": 9}, "growth": {"East": 5, "West": 9}},
    "2024-Q3": {"tools": {"East": 1, "South": 1, "West": 3, "North": 20}},  # all hidden but one
}
QUARTER_START = {
    "2024-Q1": dt.date(2024, 1, 1),
    "2024-Q2": dt.date(2024, 4, 1),
    "2024-Q3": dt.date(2024, 7, 1),
    "2024-Q4": dt.date(2024, 10, 1),
    "2025-Q1": dt.date(2025, 1, 1),
}
ENPS_PARTS = ("respondents", "promoters", "passives", "detractors")
PULSE_PARTS = ("responses", "total_score")
Cell = tuple[str, str, str, str | None]  # metric, period, question ("" for enps), team


def _answers() -> list[dict[str, Any]]:
    """The survey rows of every case: each respondent answers once, on a day spread over the
    quarter's three months, with scores spread over 0-10."""
    rows: list[dict[str, Any]] = []
    counter = itertools.count()
    plan = [(q, "enps", teams) for q, teams in ENPS.items()]
    plan += [(q, question, teams) for q, per in PULSE.items() for question, teams in per.items()]
    for quarter, question, teams in plan:
        for team, n in teams.items():
            for i in range(n):
                k = next(counter)
                day = QUARTER_START[quarter] + dt.timedelta(days=(i * 37) % 88)
                rows.append(
                    {
                        "response_id": f"r{k}",
                        "survey_id": f"pulse-{quarter}",
                        "submitted_at": dt.datetime(day.year, day.month, day.day, 9),
                        "question_id": question,
                        "score": (k * 7 + i) % 11,
                        "respondent_id": f"{team}-{question}-{i}",
                        "team": team,
                    }
                )
    return rows


def _label(day: dt.date, grain: str) -> str:
    if grain == "month":
        return f"{day.year}-{day.month:02d}"
    if grain == "year":
        return str(day.year)
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def truth(rows: Iterable[Mapping[str, Any]], grain: str) -> dict[Cell, dict[str, float]]:
    """The components of every (metric, period, question, team) cell, counted from ``rows``."""
    out: dict[Cell, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        period = _label(r["submitted_at"].date(), grain)
        score = r["score"]
        if r["question_id"] == "enps":
            parts = out["enps", period, "", r["team"]]
            parts["respondents"] += 1
            parts["promoters"] += score >= 9
            parts["passives"] += 7 <= score <= 8
            parts["detractors"] += score <= 6
        else:
            parts = out["pulse_score", period, r["question_id"], r["team"]]
            parts["responses"] += 1
            parts["total_score"] += score
    return out


@pytest.fixture(scope="module")
def surveys(tmp_path_factory: pytest.TempPathFactory) -> Iterable[Workspace]:
    from salesmetrics.workspace import init_workspace

    ws = init_workspace(tmp_path_factory.mktemp("anonymity") / "ws")
    insert(ws, "survey_responses", _answers())
    yield ws
    ws.close()


def _outputs(ws: Workspace, grain: str) -> list[tuple[Any, dict[str, Any]]]:
    """Every row the engine gives for the surveys at ``grain`` (2024 and 2025-Q1), with the
    result it came from: company-wide, by team, by other dimensions, each without comparison
    and with either."""
    out = []
    for period in ("2024", "2025-Q1"):
        for by in ([], ["team"], ["region"], ["team", "region"]):
            for compare in (None, "previous", "year"):
                result = ws.metrics(
                    ["enps", "pulse_score"], period=period, grain=grain, by=by, compare=compare
                )
                out += [(result, _unclipped(row)) for row in result.to_dict()["results"]]
    return out


def _unclipped(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its periods named by their whole grain period: the year of 2025-Q1 asked
    by year is labelled ``2025 (to 2025-03-31)`` (a clipped part), and the cells of the
    answers are labelled by grain period (the answers of 2025 all fall in its first quarter)."""
    out = dict(row)
    for key in ("period", "compare_period"):
        if isinstance(out.get(key), str):
            out[key] = out[key].split(" (", 1)[0]
    return out


def _cells(row: Mapping[str, Any], known: Mapping[Cell, Any]) -> list[Cell]:
    """The cells a shown row adds up: its team's, or every team's (the company's row)."""
    metric, period = row["metric"], row["period"]
    question = row["group"].get("question", "")
    if "team" in row["group"]:
        return [(metric, period, question, row["group"]["team"])]
    return [c for c in known if c[:3] == (metric, period, question)]


def _row_key(row: Mapping[str, Any], period: str) -> tuple[str, str, str, Any]:
    """A row's metric, ``period``, question and team ("*" for the company's row)."""
    group = row["group"]
    return (row["metric"], period, group.get("question", ""), group.get("team", "*"))


def _size(parts: Mapping[str, float]) -> float:
    """A cell's respondents (eNPS) or responses (pulse)."""
    return parts.get("respondents", parts.get("responses", 0.0))


def _in_span(matrix: np.ndarray, vector: np.ndarray) -> bool:
    """Whether ``vector`` is a combination of the rows of ``matrix`` (it can be computed)."""
    if not len(matrix):
        return False
    rank = np.linalg.matrix_rank(matrix)
    return bool(np.linalg.matrix_rank(np.vstack([matrix, vector])) == rank)


@pytest.mark.parametrize("grain", ["quarter", "month", "year"])
def test_no_suppressed_group_can_be_recovered(surveys: Workspace, grain: str) -> None:
    true = truth(_answers(), grain)
    outputs = _outputs(surveys, grain)
    hidden: set[Cell] = set()
    equations: dict[str, list[np.ndarray]] = defaultdict(list)
    hidden_rows: set[tuple[str, str, str, Any]] = set()  # (metric, period, question, group)
    given: set[tuple[str, str, str, Any]] = set()  # the values a comparison column gives
    cells = {m: [c for c in true if c[0] == m] for m in ("enps", "pulse_score")}
    index = {m: {c: i for i, c in enumerate(cs)} for m, cs in cells.items()}
    for _, row in outputs:
        metric, group, parts = row["metric"], row["group"], row["components"]
        if not parts or set(group) - {"team", "question"}:  # not available by that dimension
            assert row["value"] is None and not parts
            continue
        names = ENPS_PARTS if metric == "enps" else PULSE_PARTS
        mine = _cells(row, true)
        if "team" in group and mine[0] not in true:  # a team without answers in the period
            assert row["value"] is None and parts == {"min_survey_group": MINIMUM}
            continue
        if row["value"] is None:
            assert parts == {"min_survey_group": MINIMUM}, row
            assert "anonymous" in row["note"], row
            hidden.update(mine)
            hidden_rows.add(_row_key(row, row["period"]))
            continue
        # A shown row is right, and is one equation over the true cells.
        for name in names:
            assert parts[name] == pytest.approx(sum(true[c][name] for c in mine)), row
        vector = np.zeros(len(cells[metric]))
        vector[[index[metric][c] for c in mine]] = 1
        equations[metric].append(vector)
        if row.get("compare_value") is not None or row.get("change") is not None:
            given.add(_row_key(row, row["compare_period"]))
    # Every group under the minimum is hidden (and the cases' complements too, by quarter).
    assert {c for c, parts in true.items() if _size(parts) < MINIMUM} <= hidden
    if grain == "quarter":
        expected = {("enps", q, "", t) for q, teams in HIDDEN.items() for t in teams}
        assert {c for c in hidden if c[0] == "enps"} == expected
    assert hidden, "the cases must hide something"
    for metric, rows in equations.items():
        matrix = np.vstack(rows)
        for cell in (c for c in hidden if c[0] == metric):
            unit = np.zeros(len(cells[metric]))
            unit[index[metric][cell]] = 1
            assert not _in_span(matrix, unit), f"{cell} recovered by subtraction"
        # No set of hidden cells of one parent holding fewer than the minimum either.
        parents: dict[tuple[str, str, str], list[Cell]] = defaultdict(list)
        for cell in hidden:
            if cell[0] == metric:
                parents[cell[:3]].append(cell)
        for members in parents.values():
            for k in range(1, len(members) + 1):
                for subset in itertools.combinations(members, k):
                    size = sum(_size(true[c]) for c in subset)
                    if size >= MINIMUM:
                        continue
                    combined = np.zeros(len(cells[metric]))
                    combined[[index[metric][c] for c in subset]] = 1
                    assert not _in_span(matrix, combined), f"{subset} recovered together"
    # No comparison gives a value its own period hides (a hidden value, compared with a shown
    # one, gives neither a compare value nor a change).
    assert not hidden_rows & given
    # Drill-downs list nothing of any survey row.
    for _, row in outputs:
        with pytest.raises(UserError, match="anonymous"):
            surveys.drill(row)
    for result in {id(r): r for r, _ in outputs}.values():
        assert all(rows is None for _, rows in drill_result(surveys, result))


def test_the_same_groups_are_hidden_whatever_the_request_holds(surveys: Workspace) -> None:
    """A quarter alone hides what the year by quarter hides, with or without a comparison, so
    that neither a comparison's periods nor other periods change what can be subtracted."""
    together = surveys.metrics(["enps", "pulse_score"], period="2024", grain="quarter", by="team")

    def shown(rows: Iterable[Mapping[str, Any]]) -> set[tuple[str, str, str]]:
        return {(r["metric"], r["period"], str(r["group"])) for r in rows if r["value"] is not None}

    for quarter in ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"):
        mine = [r for r in together.rows() if r["period"] == quarter]
        for compare in (None, "previous", "year"):
            alone = surveys.metrics(
                ["enps", "pulse_score"], period=quarter, by="team", compare=compare
            ).rows()
            assert shown(alone) == shown(mine)


def test_notes_say_why(surveys: Workspace) -> None:
    rows = surveys.metrics(["enps"], period="2024-Q1", by="team").rows()
    note = {r["group"]["team"]: r["note"] for r in rows}
    assert note["East"] == "fewer than 5 respondents: not shown, to keep answers anonymous"
    assert note["West"].startswith("not shown, to keep answers anonymous: with the total")
    assert note["North"] is None
    company = surveys.metrics(["enps"], period="2024-Q1").rows()[0]
    assert company["components"]["respondents"] == 25 and company["value"] is not None


def test_a_comparison_never_shows_a_hidden_period(surveys: Workspace) -> None:
    rows = surveys.metrics(["enps"], period="2024-Q2", by="team", compare="previous").rows()
    west = next(r for r in rows if r["group"] == {"team": "West"})
    # West is shown in Q2 (10 respondents) but hidden in Q1 as East's complement.
    assert west["value"] is not None and west["compare_period"] == "2024-Q1"
    assert west["compare_value"] is None and west["change"] is None
    assert west["change_rate"] is None


def _rule(counts: Sequence[float], order: Sequence[int], minimum: int) -> set[int]:
    """metrics.md's rule, literally, for one parent: the positions hidden."""
    hidden = {i for i, n in enumerate(counts) if n < minimum}
    if any(counts[i] > 0 for i in hidden):
        while sum(counts[i] for i in hidden) < minimum:
            rest = [i for i in range(len(counts)) if i not in hidden]
            if not rest:
                break
            hidden.add(min(rest, key=lambda i: (counts[i], order[i])))
    return hidden


def test_suppress_follows_the_rule_on_random_parents() -> None:
    rng = np.random.default_rng(21)
    for _ in range(300):
        minimum = int(rng.integers(1, 8))
        parents = rng.integers(0, 4, size=int(rng.integers(1, 16)))
        counts = rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 20], size=len(parents)).astype(float)
        order = rng.permutation(len(parents))
        got = anonymity.suppress(counts, parents, order, minimum)
        for parent in np.unique(parents):
            at = np.flatnonzero(parents == parent)
            expected = _rule(list(counts[at]), list(order[at]), minimum)
            assert {i for i, a in enumerate(at) if got.any[a]} == expected
            assert not (got.primary & got.complementary).any()
            hidden_sum = counts[at][got.any[at]].sum()
            exposed = ((counts[at] > 0) & (counts[at] < minimum)).any()
            assert not exposed or hidden_sum >= minimum or got.any[at].all()


def test_missing_counts_are_no_respondents() -> None:
    got = anonymity.suppress(np.array([np.nan, 7.0, 8.0]), np.zeros(3), np.arange(3), 5)
    assert list(got.primary) == [True, False, False]
    assert not got.complementary.any()  # a group without answers exposes nobody
