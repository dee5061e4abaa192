"""Property-based fuzzing of the command line (issue 24, item 7): whatever the arguments, a
command ends with one of the documented exit statuses (0 done, 1 user error, 2 usage error, 3 all
rows rejected), never 70 (an internal error) or a traceback; a user error is one line on stderr;
and a refused import leaves every table's row count as it was.

The commands run in-process (``main``), so an example costs what the command costs, not a
Python start-up. Budgets are stated at the ``gate`` profile (see tests/depth.py).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesmetrics import init_workspace
from salesmetrics.cli import EXIT_ALL_REJECTED, EXIT_USAGE, EXIT_USER_ERROR, main
from salesmetrics.workspace import open_workspace
from tests.depth import examples
from tests.ingest.test_fuzz import HOSTILE, cells, counts, csv_text

_counter = itertools.count()
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
DOCUMENTED = {0, EXIT_USER_ERROR, EXIT_USAGE, EXIT_ALL_REJECTED}
HEADER = ["opportunity_id", "stage", "amount", "close_date", "probability", "type"]

#: Argument text: hostile cells, option-like words, and plain random text.
words = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(["-", "--", "-p", "--map", "--help", "=", ":", "x=y", "a:b=c", "%d/%m/%Y"]),
    st.text(max_size=10).filter(lambda t: "\x00" not in t),  # argv cannot hold NUL
)


@pytest.fixture(scope="module")
def cli_ws(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("cli-fuzz") / "ws"
    ws = init_workspace(root)
    data = root.parent / "seed.csv"
    data.write_text(
        "opportunity_id,stage,amount,close_date\n"
        "o1,Closed Won,100,2024-02-01\no2,Closed Lost,50,2024-03-01\no3,Proposal,70,2024-09-30\n",
        encoding="utf-8",
    )
    ws.import_file("opportunities", data)
    ws.close()
    return str(root)


def table_counts(root: str) -> dict[str, int]:
    with open_workspace(root) as ws:
        return counts(ws)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; (exit status, stdout, stderr)."""
    capsys.readouterr()
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_documented(code: int, err: str) -> None:
    """A documented status, no traceback, and a user error as one line."""
    assert code in DOCUMENTED, f"exit {code}: {err}"
    assert "Traceback" not in err and "internal error" not in err
    if code == EXIT_USER_ERROR:
        assert err.startswith("error: ") and err.count("\n") == 1, err


import_args = st.lists(
    st.one_of(
        st.tuples(
            st.just("--map"),
            st.one_of(st.builds("{}={}".format, st.sampled_from(HEADER), words), words),
        ),
        st.tuples(
            st.just("--value-map"),
            st.one_of(
                st.builds(
                    "{}:{}={}".format,
                    st.sampled_from(["status", "type", "probability", "amount", "x"]),
                    words,
                    words,
                ),
                words,
            ),
        ),
        st.tuples(
            st.sampled_from(
                ["--decimal", "--delimiter", "--date-format", "--encoding", "--sheet", "--preset"]
            ),
            words,
        ),
        st.tuples(st.sampled_from(["--dry-run", "-q", "--bogus"])),
    ),
    max_size=4,
).map(lambda groups: [a for g in groups for a in g])


@settings(max_examples=examples(10), suppress_health_check=HEALTH)
@given(
    table=st.one_of(st.sampled_from(["opportunities", "fx_rates"]), words),
    body=st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), max_size=4),
    args=import_args,
)
def test_import_arguments(
    cli_ws: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    table: str,
    body: list[list[str]],
    args: list[str],
) -> None:
    path = tmp_path / f"deals-{next(_counter)}.csv"
    path.write_bytes(csv_text(HEADER, body, ",").encode("utf-8"))
    before = table_counts(cli_ws)
    code, _, err = run(["import", table, str(path), "-w", cli_ws, "--no-warm", *args], capsys)
    assert_documented(code, err)
    after = table_counts(cli_ws)
    if code in (EXIT_USER_ERROR, EXIT_USAGE):
        assert after == before  # refused: nothing written, not half a batch
    elif code == EXIT_ALL_REJECTED:  # the batch holds its quarantine only
        assert {t: n for t, n in after.items() if not t.startswith("_")} == {
            t: n for t, n in before.items() if not t.startswith("_")
        }


periods = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "all",
            "2024",
            "2024-Q1",
            "2024-Q5",
            "2024-13",
            "2024-W53",
            "FY2025-M03",
            "2024-04-01..2024-03-01",
            "ytd",
            "last_month",
            "0000",
            "99999",
            "2024-02-30..",
            "\x1b[2J",
            "2024-01..2024-03",
        ]
    ),
    st.text(alphabet="0123456789-QWFYMal.t_ ", max_size=12),
)


@settings(max_examples=examples(6), suppress_health_check=HEALTH)
@given(
    period=periods,
    metric=st.one_of(st.sampled_from(["win_rate", "won_revenue"]), words),
    extra=st.lists(
        st.one_of(
            st.tuples(
                st.sampled_from(
                    ["--grain", "--by", "--compare", "--where", "--from", "--to", "--format"]
                ),
                st.one_of(words, periods),
            ),
            st.tuples(st.sampled_from(["--drill", "--bogus"])),
        ),
        max_size=2,
    ).map(lambda groups: [a for g in groups for a in g]),
)
def test_metrics_arguments(
    cli_ws: str, capsys: pytest.CaptureFixture[str], period: str, metric: str, extra: list[str]
) -> None:
    before = table_counts(cli_ws)
    code, _, err = run(["metrics", "-m", metric, "-p", period, "-w", cli_ws, *extra], capsys)
    assert_documented(code, err)
    assert code != EXIT_ALL_REJECTED
    assert table_counts(cli_ws) == before  # reading never writes a table


@settings(max_examples=examples(10), suppress_health_check=HEALTH)
@given(
    batch=st.one_of(words, st.sampled_from(["2024", "20", "dry-run", "%", "_", "'; DROP TABLE x"])),
    limit=st.one_of(st.integers(-5, 10**12).map(str), words),
)
def test_rejects_arguments(
    cli_ws: str, capsys: pytest.CaptureFixture[str], batch: str, limit: str
) -> None:
    before = table_counts(cli_ws)
    code, _, err = run(["rejects", batch, "--limit", limit, "-w", cli_ws], capsys)
    assert_documented(code, err)
    assert code != EXIT_ALL_REJECTED
    assert table_counts(cli_ws) == before
