"""Referential and temporal consistency of the generated company."""

from __future__ import annotations

import duckdb

from salesmetrics.demo.calendar import DATA_END, to_date
from salesmetrics.demo.hygiene import UNKNOWN_REPS

from .conftest import one

END = f"DATE '{to_date(DATA_END).isoformat()}'"
UNKNOWN = ", ".join(f"'{r}'" for r in UNKNOWN_REPS)


def count(db: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The count a query returns."""
    n = one(db, sql)[0]
    assert isinstance(n, int)
    return n


def test_references_resolve(db: duckdb.DuckDBPyConnection) -> None:
    checks = {
        "opportunity accounts": "SELECT count(*) FROM opportunities WHERE account_id NOT IN"
        " (SELECT account_id FROM accounts)",
        "lead accounts": "SELECT count(*) FROM leads WHERE account_id NOT IN"
        " (SELECT account_id FROM accounts)",
        "lead opportunities": "SELECT count(*) FROM leads WHERE opportunity_id NOT IN"
        " (SELECT opportunity_id FROM opportunities)",
        "opportunity leads": "SELECT count(*) FROM opportunities WHERE lead_id NOT IN"
        " (SELECT lead_id FROM leads)",
        "history deals": "SELECT count(*) FROM opportunity_history WHERE opportunity_id NOT IN"
        " (SELECT opportunity_id FROM opportunities)",
        "deals without history": "SELECT count(*) FROM opportunities WHERE opportunity_id NOT"
        " IN (SELECT opportunity_id FROM opportunity_history)",
        "subscription accounts": "SELECT count(*) FROM subscriptions WHERE account_id NOT IN"
        " (SELECT account_id FROM accounts)",
        "invoice accounts": "SELECT count(*) FROM invoice_lines WHERE account_id NOT IN"
        " (SELECT account_id FROM accounts)",
        "usage accounts": "SELECT count(*) FROM engagement_events WHERE account_id NOT IN"
        " (SELECT account_id FROM subscriptions)",
        "activity deals": "SELECT count(*) FROM activities WHERE opportunity_id NOT IN"
        " (SELECT opportunity_id FROM opportunities)",
        "managers": "SELECT count(*) FROM reps WHERE manager_id NOT IN (SELECT rep_id FROM reps)",
        "quota reps": "SELECT count(*) FROM quotas WHERE rep_id NOT IN (SELECT rep_id FROM reps)",
        "forecast reps": "SELECT count(*) FROM forecasts WHERE scope = 'rep' AND scope_id NOT IN"
        " (SELECT rep_id FROM reps)",
        "forecast teams": "SELECT count(*) FROM forecasts WHERE scope = 'team' AND scope_id NOT"
        " IN (SELECT team FROM reps)",
        "account owners": "SELECT count(*) FROM accounts WHERE owner_id NOT IN"
        " (SELECT rep_id FROM reps)",
        "known owners": f"SELECT count(*) FROM opportunities WHERE owner_id NOT IN"
        f" (SELECT rep_id FROM reps) AND owner_id NOT IN ({UNKNOWN})",
    }
    for what, sql in checks.items():
        assert count(db, sql) == 0, what


def test_last_history_row_is_the_current_state(db: duckdb.DuckDBPyConnection) -> None:
    sql = """
        WITH last AS (
            SELECT * FROM opportunity_history
            QUALIFY row_number() OVER (PARTITION BY opportunity_id ORDER BY changed_at DESC) = 1
        )
        SELECT count(*) FROM opportunities o JOIN last l USING (opportunity_id)
        WHERE o.stage IS DISTINCT FROM l.stage OR o.status IS DISTINCT FROM l.status
           OR o.amount IS DISTINCT FROM l.amount OR o.close_date IS DISTINCT FROM l.close_date
           OR o.probability IS DISTINCT FROM l.probability
           OR o.forecast_category IS DISTINCT FROM l.forecast_category
    """
    assert count(db, sql) == 0
    first = """
        SELECT count(*) FROM opportunities o JOIN (
            SELECT opportunity_id, min(changed_at) AS first FROM opportunity_history GROUP BY 1
        ) h USING (opportunity_id) WHERE h.first <> o.created_at
    """
    assert count(db, first) == 0


def test_deals_and_dates_are_consistent(db: duckdb.DuckDBPyConnection) -> None:
    assert (
        count(db, "SELECT count(*) FROM opportunities WHERE status = 'won' AND amount IS NULL") == 0
    )
    assert count(db, "SELECT count(*) FROM opportunities WHERE status <> 'open' AND close_date"
                 f" > {END}") == 0  # fmt: skip
    nothing_after_end = {
        "opportunities": "created_at",
        "opportunity_history": "changed_at",
        "leads": "created_at",
        "activities": "started_at",
        "survey_responses": "submitted_at",
        "forecasts": "submitted_at",
        "invoice_lines": "invoice_date",
        "engagement_events": "occurred_on",
        "subscriptions": "start_date",
    }
    for table, column in nothing_after_end.items():
        sql = f"SELECT count(*) FROM {table} WHERE CAST({column} AS DATE) > {END}"
        assert count(db, sql) == 0, table
    later = {
        "accounts before their deals": "SELECT count(*) FROM opportunities o JOIN accounts a"
        " USING (account_id) WHERE a.created_at > o.created_at",
        "accounts before their leads": "SELECT count(*) FROM leads l JOIN accounts a"
        " USING (account_id) WHERE a.created_at > l.created_at",
        "deals when their lead converted": "SELECT count(*) FROM leads l JOIN opportunities o"
        " USING (opportunity_id) WHERE l.converted_at <> o.created_at",
        "activities while employed": "SELECT count(*) FROM activities a JOIN reps r USING"
        " (rep_id) WHERE CAST(a.started_at AS DATE) NOT BETWEEN r.hired_on AND"
        " coalesce(r.left_on, DATE '9999-12-31')",
        "subscriptions end after start": "SELECT count(*) FROM subscriptions WHERE end_date"
        " <= start_date",
    }
    for what, sql in later.items():
        assert count(db, sql) == 0, what


def test_every_currency_has_a_rate_before_its_first_use(db: duckdb.DuckDBPyConnection) -> None:
    uses = """
        SELECT currency, min(d) AS first_use FROM (
            SELECT currency, CAST(created_at AS DATE) AS d FROM opportunities
            UNION ALL SELECT currency, start_date FROM subscriptions
            UNION ALL SELECT currency, invoice_date FROM invoice_lines
            UNION ALL SELECT currency, date FROM costs
            UNION ALL SELECT currency, period_start FROM quotas
        ) WHERE currency <> 'USD' GROUP BY 1
    """
    missing = f"""
        SELECT count(*) FROM ({uses}) u
        WHERE NOT EXISTS (
            SELECT 1 FROM fx_rates f WHERE f.currency = u.currency AND f.date <= u.first_use
        )
    """
    assert count(db, f"SELECT count(*) FROM ({uses})") >= 4
    assert count(db, missing) == 0
    assert count(db, "SELECT count(*) FROM fx_rates WHERE currency = 'USD'") == 0


def test_customers_and_billing_agree(db: duckdb.DuckDBPyConnection) -> None:
    # Every paying subscription row has recurring billing covering its start.
    sql = """
        SELECT count(*) FROM subscriptions s WHERE NOT is_trial AND NOT EXISTS (
            SELECT 1 FROM invoice_lines i WHERE i.account_id = s.account_id AND i.is_recurring
              AND s.start_date BETWEEN i.service_start AND i.service_end)
    """
    paid = count(db, "SELECT count(*) FROM subscriptions WHERE NOT is_trial")
    assert count(db, sql) <= 0.03 * paid  # the duplicated rows of the hygiene problem
    # Accounts marked churned have no running subscription and ended one on that day.
    sql = """
        SELECT count(*) FROM accounts a WHERE churned_at IS NOT NULL AND (
            EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = a.account_id
                    AND NOT is_trial AND (end_date IS NULL OR end_date > a.churned_at))
            OR NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = a.account_id
                    AND end_date = a.churned_at))
    """
    assert count(db, sql) == 0
    assert count(db, "SELECT count(*) FROM accounts WHERE churned_at IS NOT NULL") > 0
    # Trials carry no MRR.
    assert count(db, "SELECT count(*) FROM subscriptions WHERE is_trial AND mrr <> 0") == 0


def test_full_period_invoices_bill_the_subscription_mrr(db: duckdb.DuckDBPyConnection) -> None:
    """A yearly line is 12 x the MRR of the subscription it bills, a monthly line 1 x; a seat
    expansion's prorated line (which can also span a month) bills the MRR added."""
    sql = """
        WITH paid AS (
            SELECT *, lag(mrr, 1, 0) OVER (PARTITION BY account_id ORDER BY start_date) AS before
            FROM subscriptions WHERE NOT is_trial),
        lines AS (
            SELECT *, CASE WHEN service_end = service_start + INTERVAL 1 YEAR - INTERVAL 1 DAY
                           THEN 12
                           WHEN service_end = service_start + INTERVAL 1 MONTH - INTERVAL 1 DAY
                           THEN 1 END AS months
            FROM invoice_lines WHERE is_recurring)
        SELECT count(*),
               count(*) FILTER (WHERE l.amount <> p.mrr * l.months
                                  AND l.amount <> (p.mrr - p.before) * l.months)
        FROM lines l JOIN paid p
          ON p.account_id = l.account_id AND p.start_date = l.service_start
        WHERE l.months IS NOT NULL
    """
    checked, wrong = one(db, sql)
    assert checked > 1000  # type: ignore[operator]
    assert wrong == 0
