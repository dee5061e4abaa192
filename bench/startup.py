"""Bar P8, start-up: how long the command line takes before and while it answers.

Each command runs :data:`RUNS` times in a fresh interpreter, timed from the outside (wall time,
as a user's shell sees it); its figure is the median, against its own limit: 0.3 s for the light
commands (``--help``, a calculator, the glossary), 1 s for ``metrics`` on the small demo in a
later session (one untimed run first keeps the workspace's intermediates). The bar's ratio is the
worst median / limit, so it holds at ratio ≤ 1. The CPU seconds of each run (user + system,
of the child) are kept beside: on a shared machine the wall time also measures the neighbours.
Each light command also runs once listing the modules it loaded: loading Ibis, pandas or the
demo generator fails the bar whatever the time.

The commands run as an installed package does: with the modules' bytecode cached (pip compiles
it on install; the untimed first run writes it here), so ``PYTHONDONTWRITEBYTECODE``, which some
shells set, is dropped from the children's environment (otherwise every run would also time
compiling the package's sources, about 0.09 s of CPU for ``metrics``).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.results import Figure

BAR = "P8"
RUNS = 10
#: Median wall seconds allowed for each light command, and for ``metrics``.
LIGHT_LIMIT = 0.3
METRICS_LIMIT = 1.0
#: Modules a light command must not load.
HEAVY = ("ibis", "pandas", "salesmetrics.demo")
#: The console script's body: ``salesmetrics ARGS`` without the script's own lookup.
RUN = "from salesmetrics.cli import main; main()"
#: Runs the command, then writes ``sorted(sys.modules)`` to the file named first.
LIST_MODULES = (
    "import json, sys\n"
    "from salesmetrics.cli import main\n"
    "try:\n"
    "    main(sys.argv[2:])\n"
    "except SystemExit:\n"
    "    pass\n"
    "with open(sys.argv[1], 'w', encoding='utf-8') as f:\n"
    "    json.dump(sorted(sys.modules), f)\n"
)


@dataclass(frozen=True)
class Command:
    """One timed command line: its label, arguments and median limit in seconds."""

    label: str
    args: tuple[str, ...]
    limit: float
    light: bool = True


def commands(small_demo: Path, year: str) -> list[Command]:
    """The four commands of the bar; ``metrics`` reads the small demo at ``small_demo``."""
    return [
        Command("--help", ("--help",), LIGHT_LIMIT),
        Command("calc", ("calc", "win_rate", "--won", "25", "--lost", "75"), LIGHT_LIMIT),
        Command("glossary", ("glossary",), LIGHT_LIMIT),
        Command(
            "metrics (small demo)",
            ("metrics", "--period", year, "--grain", "quarter", "--workspace", str(small_demo)),
            METRICS_LIMIT,
            light=False,
        ),
    ]


@dataclass(frozen=True)
class Run:
    """One run of a command: wall seconds, and the CPU seconds its process used."""

    wall: float
    cpu: float


def child_env() -> dict[str, str]:
    """This process's environment, but letting the child cache bytecode (see the module doc)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(args: Sequence[str], cwd: Path) -> Run:
    """``salesmetrics ARGS`` run in a fresh interpreter in ``cwd``."""
    cpu = _children_cpu()
    started = time.perf_counter()
    command = [sys.executable, "-c", RUN, *args]
    subprocess.run(command, cwd=cwd, env=child_env(), check=True, capture_output=True)
    return Run(time.perf_counter() - started, _children_cpu() - cpu)


def loaded_heavy(args: Sequence[str], cwd: Path) -> list[str]:
    """The modules of :data:`HEAVY` (and below) that ``salesmetrics ARGS`` loads."""
    listing = cwd / "modules.json"
    subprocess.run(
        [sys.executable, "-c", LIST_MODULES, str(listing), *args],
        cwd=cwd,
        env=child_env(),
        check=True,
        capture_output=True,
    )
    names: list[str] = json.loads(listing.read_text(encoding="utf-8"))
    return [n for n in names if any(n == h or n.startswith(h + ".") for h in HEAVY)]


def measure(
    small_demo: Path,
    year: str,
    runs: int = RUNS,
    timer: Callable[[Sequence[str], Path], Run] = run_once,
    heavy: Callable[[Sequence[str], Path], list[str]] = loaded_heavy,
) -> Figure:
    """Time every command ``runs`` times (after one untimed run) and make the P8 figure."""
    timings: dict[str, list[Run]] = {}
    loads: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="startup-") as folder:
        cwd = Path(folder)  # no workspace here: calc uses its own defaults
        for command in commands(small_demo, year):
            timer(command.args, cwd)  # warm the file cache; metrics keeps its intermediates
            timings[command.label] = [timer(command.args, cwd) for _ in range(runs)]
            if command.light:
                loads[command.label] = heavy(command.args, cwd)
    return figure(timings, loads, small_demo, year)


def figure(
    timings: dict[str, list[Run]], loads: dict[str, list[str]], small_demo: Path, year: str
) -> Figure:
    """The P8 figure from each command's runs and the heavy modules the light ones loaded."""
    limits = {c.label: c.limit for c in commands(small_demo, year)}
    medians = {label: statistics.median(r.wall for r in runs) for label, runs in timings.items()}
    cpu = {label: statistics.median(r.cpu for r in runs) for label, runs in timings.items()}
    parts = [
        f"{label} {medians[label]:.2f} s (≤ {limits[label]:g}; CPU {cpu[label]:.2f} s)"
        for label in timings
    ]
    heavy = {label: names for label, names in loads.items() if names}
    note = "; ".join(
        f"{label} loaded {', '.join(sorted({n.split('.')[0] for n in names}))}"
        for label, names in heavy.items()
    )
    return Figure(
        BAR,
        "start-up",
        f"medians of {min(map(len, timings.values()))} runs: " + ", ".join(parts),
        max(medians[label] / limits[label] for label in medians),
        1.0,
        "<=",
        details={
            "median_seconds": medians,
            "median_cpu_seconds": cpu,
            "limit_seconds": {label: limits[label] for label in medians},
            "seconds": {label: [r.wall for r in runs] for label, runs in timings.items()},
            "cpu_seconds": {label: [r.cpu for r in runs] for label, runs in timings.items()},
            "heavy_modules": loads,
            "metrics_period": year,
        },
        note=note,
        check_failed=bool(heavy),
    )
