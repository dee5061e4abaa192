"""The demo company: a seeded, deterministic generator of a realistic B2B sales organisation
(reps and teams, accounts, leads, deals with their stage history, subscriptions and billing,
costs, activities, forecasts, quotas, surveys, product usage and exchange rates) at several
scales, loaded through the importer's validated path.

- :func:`generate` streams the company as ``(table, record batch)`` pairs (pure, lazy);
- :func:`build_demo` loads it into a workspace;
- :data:`SCALES` are the sizes; :data:`PROBLEMS` the data-quality problems injected on purpose.
"""

from salesmetrics.demo.build import BATCH_ROWS, DEFAULT_SEED, generate
from salesmetrics.demo.hygiene import PROBLEMS, Problem
from salesmetrics.demo.load import DemoResult, build_demo
from salesmetrics.demo.scales import SCALES, Scale

__all__ = [
    "BATCH_ROWS",
    "DEFAULT_SEED",
    "PROBLEMS",
    "SCALES",
    "DemoResult",
    "Problem",
    "Scale",
    "build_demo",
    "generate",
]
