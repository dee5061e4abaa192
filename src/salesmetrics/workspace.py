"""A workspace: a folder with ``salesmetrics.toml`` and the backend holding its tables; the
facade the views and Python users call."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesmetrics.config import config_from_dict, load_config, render_config
from salesmetrics.connection import Connection
from salesmetrics.conventions import CONFIG_FILE, ENV_WORKSPACE, resolve_dir
from salesmetrics.errors import UserError, suggest

if TYPE_CHECKING:
    import datetime as dt

    import ibis
    import pandas as pd

    from salesmetrics.answers import KeptAnswer
    from salesmetrics.ingest.importer import ImportResult
    from salesmetrics.ingest.options import ImportOptions
    from salesmetrics.metrics.alerts import Alerts
    from salesmetrics.metrics.quality import QualityReport
    from salesmetrics.metrics.request import Request
    from salesmetrics.metrics.result import MetricResult
    from salesmetrics.metrics.status import DataStatus
    from salesmetrics.metrics.submissions import Member, Submission
    from salesmetrics.metrics.warm import Warmed
    from salesmetrics.periods import Period
    from salesmetrics.progress import Progress
    from salesmetrics.sync import SyncResult

__all__ = ["ENV_WORKSPACE", "Workspace", "init_workspace", "open_workspace", "resolve_dir"]


class Workspace(Connection):
    """The facade over an open workspace: what views (CLI, reports, web) and Python users call.

    It orchestrates the layers below it (import, metrics, drill, export) and is imported by
    nothing internal: the layers below take its :class:`~salesmetrics.connection.Connection`.
    """

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- operations (each lives in its own module) -----------------------------------------

    def import_file(
        self,
        table: str,
        path: str | Path,
        options: ImportOptions | None = None,
        *,
        warm: bool = False,
        progress: Progress | None = None,
        **keywords: Any,
    ) -> ImportResult:
        """Import ``path`` into canonical table ``table`` (see ``salesmetrics.ingest``).

        The options are an :class:`~salesmetrics.ingest.options.ImportOptions`, or its fields
        as keywords, which build one: ``ws.import_file("leads", path, mapping={"source": "Lead
        Source"}, dry_run=True)``. With ``warm``, a batch that landed is followed by
        :meth:`warm` (the command line's import does this; a script importing several files
        calls :meth:`warm` once at the end)."""
        from salesmetrics.ingest import import_file

        result = import_file(self, table, path, options, progress=progress, **keywords)
        if warm and result.written:
            self.warm(progress=progress)
        return result

    def sync(
        self, source: str, *, token_env: str, warm: bool = False, **options: Any
    ) -> SyncResult:
        """Pull ``source``'s changes through its API into the canonical tables (see
        ``salesmetrics.sync``); with ``warm``, followed by :meth:`warm` when rows landed."""
        from salesmetrics.sync import sync

        result = sync(self, source, token_env=token_env, **options)
        if warm and result.rows_loaded:
            self.warm()
        return result

    def warm(
        self, requests: Sequence[Request] | None = None, *, progress: Progress | None = None
    ) -> Warmed:
        """Compute and keep, for the data as they are now, what ``requests`` need (default:
        the requests asked lately, else the reviews of the data's latest year), so that the
        next session answers from kept intermediates; see :mod:`salesmetrics.metrics.warm`."""
        from salesmetrics.metrics.warm import warm

        return warm(self, requests, progress=progress)

    def metrics(
        self,
        metrics: str | Sequence[str] | Request | None = None,
        *,
        period: str | None = None,
        from_period: str | None = None,
        to_period: str | None = None,
        grain: str | None = None,
        by: str | Sequence[str] | None = None,
        compare: str | None = None,
        basis: Mapping[str, str] | None = None,
        where: Mapping[str, str] | Sequence[str] | None = None,
        segment: str | None = None,
    ) -> MetricResult:
        """Compute ``metrics`` (default: every metric with data) for ``period`` (or
        ``from_period``..``to_period``) split by ``grain``, grouped ``by`` dimensions, compared
        with the ``previous`` period or last ``year``, restricted to the groups ``where`` names
        (``{"region": "EMEA"}`` or ``["region=EMEA"]``) and to the saved ``segment``'s
        (``[segments]``); or compute a :class:`~salesmetrics.metrics.request.Request` given
        alone. See :func:`salesmetrics.metrics.engine.evaluate`."""
        from salesmetrics.metrics.request import Request

        if isinstance(metrics, Request):
            given = (period, from_period, to_period, grain, by, compare, basis, where, segment)
            if any(v is not None for v in given):
                raise UserError("give either a Request or the request's keyword arguments")
            return self._evaluate(metrics)
        request = Request.of(
            metrics,
            period=period,
            from_period=from_period,
            to_period=to_period,
            grain=grain,
            by=by,
            compare=compare,
            basis=basis,
            where=self.filters(where, segment),
        )
        return self._evaluate(request)

    def filters(
        self, where: Mapping[str, str] | Sequence[str] | None = None, segment: str | None = None
    ) -> dict[str, str]:
        """The filters of saved ``segment`` (``[segments]`` of ``salesmetrics.toml``) and
        ``where`` (a mapping or ``DIM=VALUE`` texts) together, checked (their values against
        the data: :func:`salesmetrics.metrics.filters.resolve`; a rep's or manager's name stands
        for their id); a dimension both give a different value is a UserError."""
        from salesmetrics.metrics import filters
        from salesmetrics.metrics.request import parse_where

        given = parse_where(where)
        saved = {} if segment is None else parse_where(self.config.segment(segment))
        for dim, value in given.items():
            if saved.get(dim, value) != value:
                raise UserError(
                    f"segment {segment!r} has {dim}={saved[dim]}, and --where {dim}={value}"
                    " asks for another; give one of them"
                )
        both = parse_where({**saved, **given})
        if both:
            self.refresh()  # the data as they are now, should a write have landed
            return dict(filters.resolve(self, tuple(both.items()), []))
        return both

    def _evaluate(self, request: Request) -> MetricResult:
        """Evaluate ``request`` and note it among the requests asked lately (which an import
        computes ahead for the new data: :meth:`warm`)."""
        from salesmetrics.metrics.engine import evaluate

        result = evaluate(self, request)
        self.derived.remember(request.as_dict())
        return result

    def kept_answer(self, request: Request) -> KeptAnswer | None:
        """The answer to ``request`` an earlier session kept for the data as they are now
        (:meth:`keep_answer`), or None; read without starting the engine (embedded workspaces;
        see :mod:`salesmetrics.answers`)."""
        from salesmetrics.answers import Answers, answer_key

        cache = self.cache_folder
        versions = self.table_versions()
        if cache is None or versions is None:
            return None
        key = answer_key(request.as_dict(), versions, self.config.model_dump_json())
        return Answers(cache).get(key)

    def keep_answer(self, request: Request, result: MetricResult) -> bool:
        """Keep ``result``, just computed for ``request``, for :meth:`kept_answer` (False when
        not kept: another backend, too many rows, a folder that cannot be written)."""
        from salesmetrics.answers import MAX_ROWS, Answers, answer_key

        cache = self.cache_folder
        if cache is None or not self.derived.versions or len(result) > MAX_ROWS:
            return False
        key = answer_key(request.as_dict(), self.derived.versions, self.config.model_dump_json())
        return Answers(cache).put(
            key,
            base_currency=result.base_currency,
            keys=result.keys,
            by=result.by,
            compare=result.compare,
            notes=result.notes,
            rows=result.rows(),
            period_notes=result.period_notes,
        )

    def pipeline(
        self,
        *,
        as_of: dt.date,
        by: str | Sequence[str] = (),
        grain: str = "quarter",
        where: Mapping[str, str] | Sequence[str] | None = None,
        segment: str | None = None,
    ) -> pd.DataFrame:
        """The deals open at the start of ``as_of`` (state from opportunity history) by stage and
        close period, of the deals in the groups ``where`` and ``segment`` name (see
        :meth:`filters`); see :func:`salesmetrics.pipeline.snapshot.open_pipeline`."""
        from salesmetrics.pipeline.snapshot import open_pipeline

        chosen = self.filters(where, segment)
        self.refresh()  # the data as they are now, should a write have landed
        dims = [by] if isinstance(by, str) else by
        return open_pipeline(self, as_of, dims, grain, where=chosen)

    def period(self, text: str) -> Period:
        """The period ``text`` names (:mod:`salesmetrics.periods` syntax) in the workspace's
        fiscal calendar, ``all`` and the shortcuts (``ytd``, ``last-month``, ...) read against
        the data's first and last fact dates (:func:`salesmetrics.metrics.context.data_span`)."""
        from salesmetrics.metrics.context import data_span
        from salesmetrics.periods import parse_period

        self.refresh()  # the data as they are now, should a write have landed
        span = data_span(self, [])
        rng = None if span is None else (span.first, span.last)
        return parse_period(text, fiscal_start_month=self.config.calendar, data_range=rng)

    def drill(self, row: Mapping[str, Any]) -> ibis.Table:
        """The deals, leads, customers or reps a result row was computed from; see
        :func:`salesmetrics.metrics.drill.drill`."""
        from salesmetrics.metrics.drill import drill

        self.refresh()  # the data as they are now, should a write have landed
        return drill(self, row)

    def names(self, kind: str, ids: Collection[str] | None = None) -> dict[str, str]:
        """``{id: name}`` of reps or accounts (``kind`` ``rep`` or ``account``), for the views
        that show names where results keep ids; see :func:`salesmetrics.metrics.names.names`."""
        from salesmetrics.metrics.names import names

        self.refresh()  # the data as they are now, should a write have landed
        return names(self, kind, ids)

    def data_today(self) -> dt.date | None:
        """The workspace's "today": the latest date of any imported fact other than expected
        close dates and scheduled ends (None without data); see
        :func:`salesmetrics.metrics.context.data_today`."""
        from salesmetrics.metrics.context import data_today

        self.refresh()  # the data as they are now, should a write have landed
        return data_today(self, [])

    def last_complete(self, grain: str, *, today: dt.date | None = None) -> str | None:
        """The label of the latest whole ``grain`` period (month, quarter, year) the data and
        the calendar have passed (None without data); see
        :func:`salesmetrics.metrics.alerts.last_complete`."""
        import datetime as dt

        from salesmetrics.metrics.alerts import last_complete

        found = self.data_today()
        if found is None:
            return None
        today = today or dt.date.today()
        return last_complete(grain, found, today, self.config.calendar).label

    def alerts(
        self,
        period: str | None = None,
        *,
        cadence: str | None = None,
        metrics: Sequence[str] | None = None,
        with_deals: bool = True,
        limit: int | None = None,
    ) -> Alerts:
        """The metrics and groups of ``period`` (default: the last complete month) that crossed
        their target or moved more than ``[alerts]`` allows against the period before, with the
        deals behind them, the strongest ``limit`` (default ``[alerts] limit``, 0 for all); see
        :func:`salesmetrics.metrics.alerts.check`."""
        from salesmetrics.metrics.alerts import check

        if period is None:
            period = self.last_complete("month")
            if period is None:
                raise UserError("no alerts: the workspace has no data yet; import data first")
        self.refresh()
        return check(
            self, period, cadence=cadence, metrics=metrics, with_deals=with_deals, limit=limit
        )

    def check(self, only: Sequence[str] = ()) -> QualityReport:
        """The data-quality report: every check of metrics.md "Data-quality checks" (or those
        named in ``only``) with counts, shares and example ids; see
        :mod:`salesmetrics.metrics.quality`."""
        from salesmetrics.metrics.quality import CHECKS, check

        known = {c.id for c in CHECKS}
        for name in only:
            if name not in known:
                raise UserError(f"no data-quality check {name!r}{suggest(name, known)}")
        self.refresh()
        return check(self, tuple(only))

    def data_status(self) -> DataStatus:
        """How fresh the data are (latest event date, latest import) and the rows the imports
        rejected, by table; see :mod:`salesmetrics.metrics.status`."""
        from salesmetrics.metrics.status import data_status

        return data_status(self)

    def cohorts(
        self,
        *,
        by: str | Sequence[str] = (),
        through: dt.date | None = None,
        grain: str = "month",
    ) -> pd.DataFrame:
        """The cohort triangle of recurring revenue through ``through`` (default: the data's
        end), one row per cohort and age; empty when there is no recurring-revenue data. See
        :func:`salesmetrics.recurring.cohorts.cohorts`; ``grain="quarter"``: cohorts of a
        (fiscal) quarter, ages in quarters (:func:`salesmetrics.recurring.cohorts.quarterly`)."""
        import pandas as pd

        from salesmetrics.recurring.cohorts import cohorts, quarterly

        if grain not in ("month", "quarter"):
            raise UserError(f"cohorts by {grain!r}: use month or quarter")
        from salesmetrics.recurring.source import recurring_source

        self.refresh()  # the data as they are now, should a write have landed
        if recurring_source(self) is None:
            return pd.DataFrame()
        dims = [by] if isinstance(by, str) else list(by)
        table = cohorts(self, by=dims, through=through)
        frame: pd.DataFrame = self.backend.to_pyarrow(
            table.order_by([*dims, "cohort", "age"])
        ).to_pandas()
        if grain == "quarter":
            frame = quarterly(frame, dims, fiscal_start_month=self.config.fiscal_year_start_month)
        return frame

    def enter_rows(
        self, table: str, rows: Sequence[Mapping[str, object]], *, source: str
    ) -> ImportResult:
        """Write rows entered by hand (canonical column -> value) into ``table`` as one
        validated batch named ``source``; a rejected row is a UserError and nothing is written
        (see :mod:`salesmetrics.ingest.entries`)."""
        from salesmetrics.ingest.entries import enter_rows

        return enter_rows(self, table, rows, source=source)

    def roster(self) -> list[Member]:
        """Every rep with their name and team (see :mod:`salesmetrics.metrics.submissions`)."""
        from salesmetrics.metrics.submissions import roster

        self.refresh()  # the data as they are now, should a write have landed
        return roster(self)

    def submitted_forecasts(self, period: str) -> tuple[str, list[Submission]]:
        """The label of ``period`` and the latest forecast each level (company, team, rep)
        submitted for it per category; see :mod:`salesmetrics.metrics.submissions`."""
        from salesmetrics.metrics.submissions import submitted

        label = self.period(period).label
        return label, submitted(self, label)

    def set_target(
        self,
        metric: str,
        value: float | None,
        *,
        dim: str | None = None,
        group: str | None = None,
    ) -> None:
        """Set (or, with None, remove) a target in ``salesmetrics.toml`` (``[targets]``): the
        metric's default, or its value for ``group`` of dimension ``dim``; validated as the
        configuration (a one-line error leaves the file as it was)."""
        from salesmetrics.config import set_target

        self.config = set_target(
            self.root / CONFIG_FILE,
            metric,
            value,
            dim=dim,
            group=group,
            metric_ids=_metric_ids,
        )

    def export(self, directory: str | Path) -> list[Path]:
        """Write every table to Parquet files in ``directory``; returns the files written."""
        from salesmetrics.transfer import export_workspace

        if not str(directory).strip():
            raise UserError(
                "export: the target folder is empty; name a folder outside the workspace"
            )
        self.refresh()  # the data as they are now, should a write have landed
        return export_workspace(self, Path(directory))

    def restore(self, directory: str | Path) -> dict[str, int]:
        """Load an export into this (empty) workspace; returns rows per table."""
        from salesmetrics.transfer import restore_workspace

        return restore_workspace(self, Path(directory))


def init_workspace(
    directory: str | Path | None = None,
    *,
    backend: str | None = None,
    base_currency: str | None = None,
    force: bool = False,
) -> Workspace:
    """Create a workspace in ``directory``: write ``salesmetrics.toml`` and create the tables."""
    root = resolve_dir(directory)
    config_path = root / CONFIG_FILE
    if config_path.exists() and not force:
        raise UserError(f"{config_path} exists already; open it, or pass --force to overwrite it")
    settings: dict[str, Any] = {}
    if backend:
        settings["backend"] = backend
    if base_currency:
        settings["base_currency"] = base_currency
    config = config_from_dict(settings, "options")
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root, config)
    # Connect first (creating the database or schema and its tables): a server that cannot be
    # reached leaves no salesmetrics.toml behind, so the same init can simply be run again.
    ws.backend  # noqa: B018
    config_path.write_text(render_config(config), encoding="utf-8")
    return ws


def open_workspace(directory: str | Path | None = None) -> Workspace:
    """Open the workspace in ``directory`` (else ``$SALESMETRICS_WORKSPACE``, else the cwd)."""
    root = resolve_dir(directory)
    ws = Workspace(root, load_config(root / CONFIG_FILE, metric_ids=_metric_ids))
    ws.recover()  # what a killed import left behind
    return ws


def _metric_ids() -> Collection[str]:
    """The registered metric ids, which the targets in a configuration may name."""
    from salesmetrics.metrics.registry import REGISTRY

    return REGISTRY
