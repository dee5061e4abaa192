"""Currencies and exchange rates: a seeded daily random walk per currency, the ``fx_rates``
table (business days), and dense day-indexed rates for converting generated amounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from salesmetrics.demo.arrays import Arr
from salesmetrics.demo.arrow import arrow_schema, decimal_array, record_batch
from salesmetrics.demo.calendar import DATA_END, FX_START, weekday
from salesmetrics.errors import UserError

#: Currencies of the demo company: code, USD per unit at the start, yearly volatility, and the
#: rounding unit of a "nice" deal amount in that currency.
CURRENCIES: tuple[tuple[str, float, float, int], ...] = (
    ("USD", 1.0, 0.0, 10),
    ("EUR", 1.07, 0.07, 10),
    ("GBP", 1.22, 0.08, 10),
    ("SGD", 0.745, 0.045, 10),
    ("IDR", 0.0000645, 0.08, 100_000),
    ("AUD", 0.685, 0.10, 10),
)
CODES = tuple(c for c, _r, _v, _u in CURRENCIES)
#: Rounding unit (whole currency units) of quoted amounts, by currency index.
NICE_UNIT = np.array([u for _c, _r, _v, u in CURRENCIES], dtype=np.int64)
_RATE_SCALE = 10  # decimal places the rate is computed to before it is stored


@dataclass(frozen=True)
class Fx:
    """Daily exchange rates from FX_START to DATA_END, forward-filled over weekends.

    ``usd[c, d]`` is USD per unit of currency ``c`` on day ``FX_START + d``; ``base`` is the
    index of the workspace's base currency.
    """

    usd: Arr
    base: int

    def to_base(self, cents: Arr, currency: Arr, days: Arr) -> Arr:
        """Amounts in cents converted to base-currency cents (float) at each day's rate."""
        d = np.clip(np.asarray(days, dtype=np.int64) - FX_START, 0, self.usd.shape[1] - 1)
        rate = self.usd[currency, d] / self.usd[self.base, d]
        return np.asarray(np.asarray(cents, dtype=np.float64) * rate)

    def to_usd(self, cents: Arr | float, currency: Arr, days: Arr) -> Arr:
        """Amounts in cents converted to USD cents (float) at each day's rate."""
        d = np.clip(np.asarray(days, dtype=np.int64) - FX_START, 0, self.usd.shape[1] - 1)
        return np.asarray(cents, dtype=np.float64) * self.usd[currency, d]

    def from_usd(self, usd: Arr, currency: Arr, days: Arr) -> Arr:
        """USD amounts (float) in each currency (float units) at each day's rate."""
        d = np.clip(np.asarray(days, dtype=np.int64) - FX_START, 0, self.usd.shape[1] - 1)
        return np.asarray(usd, dtype=np.float64) / self.usd[currency, d]


def currency_index(code: str) -> int:
    """Index of a demo currency; a one-line error for a currency the demo does not model."""
    try:
        return CODES.index(code)
    except ValueError:
        raise UserError(
            f"the demo company needs a base currency among {', '.join(CODES)}, not {code};"
            " use a workspace with one of those"
        ) from None


def make_fx(rng: np.random.Generator, base_currency: str) -> Fx:
    """A seeded random walk of every demo currency against USD (rates kept to 10 decimals)."""
    n = DATA_END - FX_START + 1
    usd = np.empty((len(CURRENCIES), n), dtype=np.float64)
    business = weekday(np.arange(FX_START, DATA_END + 1)) < 5
    for c, (_code, start, vol, _unit) in enumerate(CURRENCIES):
        steps = rng.normal(0.0, vol / np.sqrt(252), n) * business
        steps -= steps.mean()  # no drift: a demo is no place for a currency crash
        usd[c] = start * np.exp(np.cumsum(steps))
    # Store-exact: the rates the table holds are the rates conversions use.
    usd = np.round(usd * 10**_RATE_SCALE) / 10**_RATE_SCALE
    return Fx(usd, currency_index(base_currency))


def fx_rates_batch(fx: Fx) -> pa.RecordBatch:
    """The ``fx_rates`` table: base-currency units per unit of every other currency, per
    business day from FX_START to DATA_END."""
    days = np.arange(FX_START, DATA_END + 1, dtype=np.int64)
    business = np.flatnonzero(weekday(days) < 5)
    others = [c for c in range(len(CODES)) if c != fx.base]
    cur = np.repeat(np.array(others, dtype=np.int64), len(business))
    d = np.tile(business, len(others))
    rate = fx.usd[cur, d] / fx.usd[fx.base, d]
    units = np.round(rate * 10**_RATE_SCALE).astype(np.int64)
    rate_type = arrow_schema("fx_rates").field("rate").type
    return record_batch(
        "fx_rates",
        {
            "date": days[d],
            "currency": np.array(CODES)[cur],
            "rate": decimal_array(units, _RATE_SCALE, rate_type),
        },
    )


def nice_amount(units: Arr, currency: Arr) -> Arr:
    """Amounts (float units) rounded to the currency's quoting unit (at least one), in cents."""
    unit = NICE_UNIT[currency]
    whole = np.maximum(np.round(np.asarray(units) / unit), 1).astype(np.int64) * unit
    return whole * 100
