"""Building blocks: exact decimals, ids, calendar arithmetic, the MRR month rule, currencies."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from salesmetrics.demo import generate
from salesmetrics.demo.arrow import decimal_array, ids, record_batch
from salesmetrics.demo.calendar import add_months, day, to_date
from salesmetrics.demo.recurring import service_months
from salesmetrics.errors import UserError


def test_cents_become_exact_decimals() -> None:
    cents = np.array([0, 1, -1, 123_456_789, -99_999_999_999_999, 10**15], dtype=np.int64)
    arr = decimal_array(cents, 2, pa.decimal128(18, 4))
    assert arr.to_pylist() == [Decimal(int(c)) / 100 for c in cents]
    rates = decimal_array(np.array([645_123, 10_000_000_000]), 10, pa.decimal128(18, 10))
    assert rates.to_pylist() == [Decimal("0.0000645123"), Decimal(1)]
    with pytest.raises(ValueError, match="too large"):
        decimal_array(np.array([10**17]), 2, pa.decimal128(18, 4))


def test_record_batch_fills_nulls_and_rejects_unknown_columns() -> None:
    b = record_batch(
        "quotas",
        {"rep_id": ids("R-", np.array([1, 2]), 5), "amount": np.ma.masked_array([150, 7], [0, 1])},
    )
    assert b.column("rep_id").to_pylist() == ["R-00001", "R-00002"]
    assert b.column("amount").to_pylist() == [Decimal("1.5"), None]
    assert b.column("currency").null_count == 2
    with pytest.raises(KeyError):
        record_batch("quotas", {"rep": np.array(["x"])})


def test_calendar() -> None:
    jan31 = day(2024, 1, 31)
    assert to_date(int(add_months(np.array([jan31]), 1)[0])).isoformat() == "2024-02-29"
    assert to_date(int(add_months(np.array([jan31]), 13)[0])).isoformat() == "2025-02-28"


def test_service_months_follow_the_mrr_rule() -> None:
    first = np.array([day(2024, 1, 1), day(2024, 1, 1), day(2024, 3, 15), day(2024, 1, 1)])
    last = np.array([day(2024, 12, 31), day(2024, 1, 31), day(2024, 4, 14), day(2024, 1, 16)])
    assert service_months(first, last) == pytest.approx([12.0, 1.0, 1.0, 16 / 30.4375])


def test_other_base_currencies() -> None:
    stream = generate("small", 7, base_currency="EUR")
    next(stream)  # reps
    name, fx = next(stream)
    assert name == "fx_rates"
    currencies = set(fx.column("currency").to_pylist())
    assert "USD" in currencies and "EUR" not in currencies
    stream.close()
    with pytest.raises(UserError, match="JPY"):
        next(generate("small", 7, base_currency="JPY"))


def test_quota_duplicates_stay_valid_for_reps_hired_on_a_quarters_last_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dataclasses

    from salesmetrics.demo import hygiene
    from salesmetrics.demo.company import SELLER, make_org
    from salesmetrics.demo.money import make_fx
    from salesmetrics.demo.targets import Actuals, quotas_batch

    problem = hygiene.PROBLEMS["overlapping_quotas"]
    monkeypatch.setitem(
        hygiene.PROBLEMS, "overlapping_quotas", dataclasses.replace(problem, rate=1.0)
    )
    rng = np.random.default_rng(1)
    org = make_org(rng, 40)
    sellers = np.flatnonzero(org.role == SELLER)
    org.hired[sellers[:10]] = day(2023, 9, 30)  # one day of Q3, then the year's last quarter
    org.left[sellers[:10]] = -1
    actuals = Actuals.empty(org.n_reps)
    actuals.won[sellers] = 5_000_000.0
    quotas = quotas_batch(rng, org, make_fx(rng, "USD"), actuals).to_pydict()
    rows = list(zip(quotas["rep_id"], quotas["period_start"], quotas["period_end"], strict=True))
    assert all(end >= start for _rep, start, end in rows)
    assert len(set(rows)) == len(rows)
    assert len({rep for rep, _s, _e in rows}) < len(rows)
