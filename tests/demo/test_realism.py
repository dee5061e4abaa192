"""The demo looks like a real B2B company: skewed deal sizes, plausible win rates, seasonality,
slipping deals, growing and churning recurring revenue, selling time, survey answers."""

from __future__ import annotations

import duckdb

from .conftest import one


def value(db: duckdb.DuckDBPyConnection, sql: str) -> float:
    """The single number a query returns."""
    v = one(db, sql)[0]
    assert v is not None
    return float(v)  # type: ignore[arg-type]


def test_deal_sizes_are_right_skewed_and_grow_with_segment(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute("""
        SELECT a.segment, avg(o.amount), median(o.amount), count(*)
        FROM opportunities o JOIN accounts a USING (account_id)
        WHERE o.currency = 'USD' AND o.type = 'new_business' AND o.amount IS NOT NULL
        GROUP BY 1
    """).fetchall()
    medians = {}
    for segment, mean, median, n in rows:
        assert n > 30, segment
        assert mean > 1.05 * float(median), segment  # lognormal: mean above median
        medians[segment] = float(median)
    assert medians["SMB"] < medians["Mid-market"] < medians["Enterprise"]


def test_win_rates_are_plausible(db: duckdb.DuckDBPyConnection) -> None:
    rate = "count(*) FILTER (WHERE status = 'won') / count(*) FILTER (WHERE status <> 'open')"
    assert 0.15 <= value(db, f"SELECT {rate} FROM opportunities") <= 0.40
    by_type = dict(db.execute(f"SELECT type, {rate} FROM opportunities GROUP BY 1").fetchall())
    assert by_type["new_business"] < by_type["expansion"] < by_type["renewal"]
    assert 0.1 <= by_type["new_business"] <= 0.3


def test_stage_drop_off(db: duckdb.DuckDBPyConnection) -> None:
    reached = db.execute("""
        SELECT h.stage, count(DISTINCT opportunity_id) FROM opportunity_history h
        JOIN opportunities USING (opportunity_id) WHERE type = 'new_business' GROUP BY 1
    """).fetchall()
    n = dict(reached)
    funnel = ["Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation"]
    counts = [n[s] for s in funnel]
    assert counts == sorted(counts, reverse=True)
    assert counts[-1] < 0.35 * counts[0]


def test_seasonality(db: duckdb.DuckDBPyConnection) -> None:
    by_month = dict(
        db.execute("SELECT month(created_at), count(*) FROM leads GROUP BY 1").fetchall()
    )
    assert by_month[10] > 1.4 * by_month[8]  # busy October, quiet August
    assert by_month[10] > 1.4 * by_month[12]
    # The quarter-end rush: more deals are won in a quarter's last month than its first.
    rush = dict(
        db.execute(
            "SELECT (month(close_date) - 1) % 3, count(*) FROM opportunities"
            " WHERE status = 'won' AND close_date IS NOT NULL GROUP BY 1"
        ).fetchall()
    )
    assert rush[2] > 1.15 * rush[0]
    growth = db.execute(
        "SELECT year(created_at), count(*) FROM leads GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert growth[0][1] < growth[1][1] < growth[2][1]


def test_close_dates_slip(db: duckdb.DuckDBPyConnection) -> None:
    pushed = value(
        db,
        """
        SELECT avg(pushed::int) FROM (
            SELECT opportunity_id, bool_or(close_date > prev) AS pushed FROM (
                SELECT opportunity_id, close_date, lag(close_date) OVER
                    (PARTITION BY opportunity_id ORDER BY changed_at) AS prev
                FROM opportunity_history WHERE status = 'open'
            ) GROUP BY 1)
        """,
    )
    assert 0.2 <= pushed <= 0.8
    cycle = value(
        db,
        "SELECT median(close_date - CAST(created_at AS DATE)) FROM opportunities"
        " WHERE status = 'won' AND type = 'new_business'",
    )
    assert 20 <= cycle <= 150


def test_recurring_revenue_moves(db: duckdb.DuckDBPyConnection) -> None:
    mrr = db.execute("""
        SELECT d, sum(mrr) FROM (SELECT DATE '2022-12-31' AS d UNION ALL SELECT DATE '2025-12-31')
        JOIN subscriptions s ON s.start_date <= d AND (s.end_date IS NULL OR s.end_date > d)
        WHERE currency = 'USD' AND NOT is_trial GROUP BY 1 ORDER BY 1
    """).fetchall()
    assert mrr[0][1] > 0  # a customer base before the CRM data starts
    assert float(mrr[1][1]) > 1.3 * float(mrr[0][1])  # and growth since
    moves = one(
        db,
        """
        WITH s AS (SELECT *, lag(mrr) OVER (PARTITION BY account_id ORDER BY start_date) AS prev,
                          lag(end_date) OVER (PARTITION BY account_id ORDER BY start_date)
                              AS prev_end
                   FROM subscriptions WHERE NOT is_trial)
        SELECT count(*) FILTER (WHERE mrr > prev AND prev_end = start_date),
               count(*) FILTER (WHERE mrr < prev AND prev_end = start_date),
               count(*) FILTER (WHERE prev_end < start_date)
        FROM s
        """,
    )
    expansions, contractions, reactivations = moves
    assert expansions > 50 and contractions > 10 and reactivations > 5  # type: ignore[operator]
    plans = dict(
        db.execute("SELECT plan LIKE '%Annual', count(*) FROM subscriptions GROUP BY 1").fetchall()
    )
    assert plans[True] > 0 and plans[False] > 0
    assert value(db, "SELECT count(*) FROM subscriptions WHERE is_trial") > 20
    assert value(db, "SELECT count(DISTINCT currency) FROM subscriptions") >= 5


def test_reps_join_and_leave(db: duckdb.DuckDBPyConnection) -> None:
    assert value(db, "SELECT count(*) FROM reps WHERE left_on IS NOT NULL") >= 2
    assert value(db, "SELECT count(*) FROM reps WHERE hired_on >= DATE '2023-01-01'") >= 2
    assert value(db, "SELECT count(DISTINCT team) FROM reps") >= 4
    assert value(db, "SELECT count(*) FROM quotas WHERE period_end - period_start > 300") > 0
    assert value(db, "SELECT count(DISTINCT currency) FROM quotas") >= 2


def test_quota_attainment_spreads(db: duckdb.DuckDBPyConnection) -> None:
    sql = """
        WITH fx AS (SELECT * FROM fx_rates UNION ALL
                    SELECT DISTINCT date, 'USD', 1 FROM fx_rates),
        won AS (
            SELECT o.owner_id AS rep_id, date_trunc('quarter', o.close_date) AS q,
                   sum(o.amount::DOUBLE * f.rate::DOUBLE) AS won
            FROM opportunities o ASOF JOIN fx f
                ON f.currency = o.currency AND f.date <= o.close_date
            WHERE o.status = 'won' GROUP BY ALL),
        quota AS (
            SELECT q.rep_id, q.period_start AS q, q.amount::DOUBLE * f.rate::DOUBLE AS quota
            FROM quotas q ASOF JOIN fx f ON f.currency = q.currency AND f.date <= q.period_start
            WHERE q.period_end - q.period_start < 100 AND day(q.period_start) = 1)
        SELECT avg((coalesce(won, 0) >= quota)::INT), median(coalesce(won, 0) / quota)
        FROM quota LEFT JOIN won USING (rep_id, q)
    """
    reached, median = one(db, sql)
    assert 0.15 <= reached <= 0.7  # type: ignore[operator]
    assert 0.4 <= median <= 1.3  # type: ignore[operator]


def test_forecasts_are_near_the_actual(db: duckdb.DuckDBPyConnection) -> None:
    sql = """
        WITH fx AS (SELECT * FROM fx_rates UNION ALL
                    SELECT DISTINCT date, 'USD', 1 FROM fx_rates),
        actual AS (
            SELECT strftime(close_date, '%Y') || '-Q' || quarter(close_date) AS period,
                   sum(o.amount::DOUBLE * f.rate::DOUBLE) AS won
            FROM opportunities o ASOF JOIN fx f
                ON f.currency = o.currency AND f.date <= o.close_date
            WHERE status = 'won' AND close_date IS NOT NULL GROUP BY 1)
        SELECT median(abs(amount::DOUBLE / won - 1)) FROM forecasts JOIN actual USING (period)
        WHERE scope = 'company' AND category = 'most_likely'
    """
    error = value(db, sql)
    assert 0.02 <= error <= 0.3
    assert value(db, "SELECT count(DISTINCT period) FROM forecasts WHERE period LIKE '%-Q%'") == 13


def test_time_spent_selling_and_surveys(db: duckdb.DuckDBPyConnection) -> None:
    selling = value(
        db,
        "SELECT sum(duration_minutes) FILTER (WHERE is_selling) / sum(duration_minutes)"
        " FROM activities",
    )
    assert 0.25 <= selling <= 0.6
    assert value(db, "SELECT count(DISTINCT type) FROM activities") == 10
    enps = value(
        db,
        "SELECT 100 * (avg((score >= 9)::INT) - avg((score <= 6)::INT)) FROM survey_responses"
        " WHERE question_id = 'enps'",
    )
    assert -40 <= enps <= 50
    assert value(db, "SELECT count(DISTINCT question_id) FROM survey_responses") >= 4


def test_usage_drops_before_churn(db: duckdb.DuckDBPyConnection) -> None:
    ratio = value(
        db,
        """
        WITH e AS (
            SELECT e.account_id, e.count, a.churned_at IS NOT NULL
                   AND e.occurred_on > a.churned_at - 90 AS leaving
            FROM engagement_events e JOIN accounts a USING (account_id) WHERE event = 'login')
        SELECT avg(count) FILTER (WHERE leaving) / avg(count) FILTER (WHERE NOT leaving) FROM e
        """,
    )
    assert ratio < 0.8
    assert value(db, "SELECT count(DISTINCT event) FROM engagement_events") == 5


def test_cost_channels_line_up_with_the_lead_sources(db: duckdb.DuckDBPyConnection) -> None:
    from salesmetrics.demo.vocab import CHANNEL_OF_SOURCE

    channels = {r[0] for r in db.execute("SELECT DISTINCT channel FROM costs").fetchall()}
    sources = {r[0] for r in db.execute("SELECT DISTINCT source FROM leads").fetchall()}
    # every lead source is mapped to a channel that has spend, and every channel is one of them
    assert {CHANNEL_OF_SOURCE[s] for s in sources} == channels - {None}
    # marketing is all booked to channels; most sales cost (overhead) to none
    assert (
        value(db, "SELECT count(*) FROM costs WHERE category = 'marketing' AND channel IS NULL")
        == 0
    )
    unallocated = value(
        db,
        "SELECT sum(amount * (channel IS NULL)::int) / sum(amount) FROM costs"
        " WHERE category = 'sales' AND currency = 'USD'",
    )
    assert 0.7 < unallocated < 0.95
    # paid media costs the most per lead, referrals the least
    per_lead = dict(
        db.execute(
            """SELECT c.channel, c.usd / l.n FROM
               (SELECT channel, sum(amount) AS usd FROM costs WHERE currency = 'USD'
                AND category = 'marketing' GROUP BY channel) c
               JOIN (SELECT source, count(*) AS n FROM leads GROUP BY source) l
               ON c.channel = CASE l.source WHEN 'paid' THEN 'paid_media'
                  WHEN 'referral' THEN 'referral_program' ELSE '' END"""
        ).fetchall()
    )
    assert per_lead["paid_media"] > 3 * per_lead["referral_program"]
