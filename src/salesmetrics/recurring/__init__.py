"""Recurring revenue: MRR per customer and month, movements, waterfalls, cohorts, recognition.

The computational core of the recurring-revenue metrics, as Ibis expressions (set-based, one
backend query per result). The modules, in data-flow order:

* :mod:`~salesmetrics.recurring.source`: subscriptions or invoice lines → MRR items (rounding);
* :mod:`~salesmetrics.recurring.mrr`: the month spine and MRR per customer and month;
* :mod:`~salesmetrics.recurring.movements`: new, reactivation, expansion, contraction, churn;
* :mod:`~salesmetrics.recurring.attributes`: account attributes for the group dimensions;
* :mod:`~salesmetrics.recurring.waterfall`: per period and group, and the identity check;
* :mod:`~salesmetrics.recurring.cohorts`: the acquisition-month retention triangle;
* :mod:`~salesmetrics.recurring.recognition`: recognized revenue by day, summed per period.
"""

from salesmetrics.recurring.attributes import (
    ACCOUNT_ATTRIBUTES,
    account_attributes,
    with_account_attributes,
)
from salesmetrics.recurring.cohorts import cohorts
from salesmetrics.recurring.movements import MOVEMENTS, movements
from salesmetrics.recurring.mrr import (
    CUSTOMER,
    CUSTOMER_PLAN,
    RecurringData,
    customer_month_mrr,
    load,
)
from salesmetrics.recurring.recognition import recognized_revenue
from salesmetrics.recurring.source import recurring_source
from salesmetrics.recurring.waterfall import (
    IdentityError,
    check_identity,
    identity_violations,
    waterfall,
    waterfall_of,
)

__all__ = [
    "ACCOUNT_ATTRIBUTES",
    "CUSTOMER",
    "CUSTOMER_PLAN",
    "MOVEMENTS",
    "IdentityError",
    "RecurringData",
    "account_attributes",
    "check_identity",
    "cohorts",
    "customer_month_mrr",
    "identity_violations",
    "load",
    "movements",
    "recognized_revenue",
    "recurring_source",
    "waterfall",
    "waterfall_of",
    "with_account_attributes",
]
