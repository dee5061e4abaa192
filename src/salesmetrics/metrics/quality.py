"""The data-quality report (``salesmetrics check``): the CRM hygiene problems of metrics.md
"Data-quality checks", each counted over the rows it can occur in.

Every check is declared once in :data:`CHECKS`: what it finds, the entity it counts (a deal, a
lead, an account, a rep), the metrics it distorts and how to fix it at the source (the CRM or
the billing system, not this product: a fix made here is undone by the next import). Each check
is an Ibis expression over the canonical tables that returns the ids of the affected entities
(``bad``) and the ids of every entity it could affect (``population``): the report gives the
count, the share and up to :data:`EXAMPLES` example ids (sorted, so a report is reproducible).
Nothing is computed row by row in Python; a check is two small queries.

Dates are judged against the data's own "today" (:func:`salesmetrics.metrics.context.
data_today`), as every period is, so an old export is not full of "stale" deals.

"Duplicate ids across batches": an import upserts by key, so the same id can never be loaded
twice; what does happen is the same record loaded under two spellings of its id (``OPP-1`` and
``opp-1 ``, typically from two exports), which this check finds: ids equal once trimmed and
case-folded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis

from salesmetrics import schema
from salesmetrics.metrics.context import data_today
from salesmetrics.metrics.registry import Text

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from salesmetrics.connection import Connection

#: Example ids listed per check.
EXAMPLES = 10
#: A finder: the workspace and the data's "today" → (bad ids, population ids), one ``id``
#: column each.
Finder = Callable[["Connection", dt.date], tuple["ir.Table", "ir.Table"]]


@dataclass(frozen=True)
class Check:
    """One data-quality check: ``id``, the ``entity`` it counts (its ids are the examples), what
    it finds (``title``), the metrics it affects, how to fix it in the source system, and its
    finder."""

    id: str
    entity: str
    title: Text
    affects: tuple[str, ...]
    fix: Text
    find: Finder


@dataclass(frozen=True)
class Finding:
    """A check's result: ``count`` affected of ``out_of`` (``share`` None when ``out_of`` is
    0) and up to :data:`EXAMPLES` ``examples`` ids."""

    check: Check
    count: int
    out_of: int
    examples: tuple[str, ...]

    @property
    def share(self) -> float | None:
        """``count / out_of``, None when there is nothing to count."""
        return self.count / self.out_of if self.out_of else None

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """A JSON-ready dict (``salesmetrics check --format json``), its texts in ``lang``."""
        c = self.check
        return {
            "check": c.id,
            "entity": c.entity,
            "title": c.title.get(lang),
            "count": self.count,
            "out_of": self.out_of,
            "share": self.share,
            "examples": list(self.examples),
            "affects": list(c.affects),
            "fix": c.fix.get(lang),
        }


@dataclass(frozen=True)
class QualityReport:
    """Every check's finding, as of ``today`` (the data's last date; None when empty)."""

    today: dt.date | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        """The findings with at least one affected entity."""
        return [f for f in self.findings if f.count]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON object of ``salesmetrics check --format json``, its texts in ``lang``."""
        return {
            "as_of": self.today.isoformat() if self.today else None,
            "checks": [f.to_dict(lang) for f in self.findings],
        }


# -- the finders ------------------------------------------------------------------------------


def _ids(table: ir.Table, column: str = "opportunity_id") -> ir.Table:
    """``table``'s ``column`` as the one string column ``id``."""
    return table.select(id=table[column].cast("string"))


def _deals(ws: Connection, status: str | None = None) -> ir.Table:
    deals = ws.table("opportunities")
    return deals if status is None else deals.filter(deals.status == status)


def _stale_open(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    open_ = _deals(ws, "open")
    return _ids(open_.filter(open_.close_date < today)), _ids(open_)


def _open_no_amount(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    open_ = _deals(ws, "open")
    return _ids(open_.filter(open_.amount.isnull())), _ids(open_)


def _won_no_amount(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    won = _deals(ws, "won")
    return _ids(won.filter(won.amount.isnull())), _ids(won)


def _won_no_close(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    won = _deals(ws, "won")
    return _ids(won.filter(won.close_date.isnull())), _ids(won)


def _close_before_created(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    dated = _deals(ws).filter(lambda t: t.close_date.notnull())
    return _ids(dated.filter(dated.close_date < dated.created_at.date())), _ids(dated)


def _negative_amount(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    deals = _deals(ws).filter(lambda t: t.amount.notnull())
    return _ids(deals.filter(deals.amount < 0)), _ids(deals)


def _unknown_owner(table: str, owner: str, key: str) -> Finder:
    def find(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
        rows = ws.table(table)
        reps = ws.table("reps")
        owned = rows.filter(rows[owner].notnull())
        unknown = owned.anti_join(reps, owned[owner] == reps.rep_id)
        return _ids(unknown, key), _ids(rows, key)

    return find


def _missing_owner(table: str, owner: str, key: str) -> Finder:
    def find(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
        rows = ws.table(table)
        return _ids(rows.filter(rows[owner].isnull()), key), _ids(rows, key)

    return find


def _stage_regression(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    from salesmetrics.pipeline.funnel import order_table

    history = ws.table("opportunity_history")
    order = order_table(ws)
    ranked = history.left_join(order, history.stage == order._o_stage).select(
        "opportunity_id", "changed_at", rank=order._o_idx
    )
    ranked = ranked.mutate(
        before=ranked["rank"]
        .lag()
        .over(group_by=ranked.opportunity_id, order_by=[ranked.changed_at])
    )
    back = ranked.filter(ranked["rank"] < ranked.before)
    return _ids(back).distinct(), _ids(_deals(ws))


def _history_after_close(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    history = ws.table("opportunity_history")
    closing = history.filter(history.status.isin(["won", "lost"]))
    closed = closing.group_by("opportunity_id").aggregate(closed_at=closing.changed_at.min())
    later = history.join(closed, "opportunity_id").filter(lambda t: t.changed_at > t.closed_at)
    return _ids(later).distinct(), _ids(closed)


def _currency_without_rate(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    base = ws.config.base_currency
    rates = ws.table("fx_rates").select("currency").distinct()
    bad: list[ir.Table] = []
    every: list[ir.Table] = []
    for table in _WITH_CURRENCY:
        rows = ws.table(table)
        key = schema.table(table).key[0]
        labelled = rows.filter(rows.currency.notnull() & (rows.currency != base)).select(
            id=ibis.literal(f"{table} ") + rows[key].cast("string") + " (" + rows.currency + ")",
            currency=rows.currency,
        )
        bad.append(labelled.anti_join(rates, "currency").select("id"))
        every.append(rows.select(id=ibis.literal(f"{table} ") + rows[key].cast("string")))
    return ibis.union(*bad), ibis.union(*every)


def _spelled_twice(table: str, key: str) -> Finder:
    def find(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
        rows = ws.table(table)
        norm = rows.mutate(_norm=rows[key].cast("string").strip().lower())
        twice = norm.group_by("_norm").aggregate(n=norm.count()).filter(lambda t: t.n > 1)
        bad = norm.semi_join(twice, "_norm")
        return _ids(bad, key), _ids(rows, key)

    return find


def _converted_without_deal(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    leads = ws.table("leads")
    converted = leads.filter(leads.status == "converted")
    return (
        _ids(converted.filter(converted.opportunity_id.isnull()), "lead_id"),
        _ids(converted, "lead_id"),
    )


def _overlapping_subscriptions(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    subs = ws.table("subscriptions")
    a, b = subs.view(), subs.view()
    never = ibis.date(9999, 12, 31)
    pairs = a.join(
        b,
        [
            a.account_id == b.account_id,
            a.plan == b.plan,
            a.subscription_id < b.subscription_id,
            a.start_date < b.end_date.fill_null(never),
            b.start_date < a.end_date.fill_null(never),
        ],
    )
    return _ids(pairs.select(account_id=a.account_id).distinct(), "account_id"), _ids(
        subs.select("account_id").distinct(), "account_id"
    )


def _overlapping_quotas(ws: Connection, today: dt.date) -> tuple[ir.Table, ir.Table]:
    quotas = ws.table("quotas")
    a, b = quotas.view(), quotas.view()
    pairs = a.join(
        b,
        [
            a.rep_id == b.rep_id,
            (a.period_start < b.period_start)
            | ((a.period_start == b.period_start) & (a.period_end < b.period_end)),
            a.period_start <= b.period_end,
            b.period_start <= a.period_end,
        ],
    )
    return _ids(pairs.select(rep_id=a.rep_id).distinct(), "rep_id"), _ids(
        quotas.select("rep_id").distinct(), "rep_id"
    )


#: The tables whose rows carry an amount in a ``currency``.
_WITH_CURRENCY = tuple(
    t.name
    for t in schema.SCHEMA.values()
    if "currency" in {c.name for c in t.columns} and t.name != "fx_rates"
)

_PIPELINE = ("pipeline_coverage", "weighted_pipeline", "pipeline_velocity", "deal_slippage_rate")
_WON = ("total_revenue", "average_deal_size", "win_rate_by_value", "quota_attainment")

#: Every check, in the order the report lists them.
CHECKS: tuple[Check, ...] = (
    Check(
        "stale_open_deal",
        "deal",
        Text(
            "open deals whose close date has passed",
            "transaksi terbuka yang tanggal tutupnya sudah lewat",
        ),
        (*_PIPELINE, "sales_forecast_accuracy"),
        Text(
            "close them as won or lost, or move their close date to when they will really close",
            "tutup sebagai menang atau kalah, atau geser tanggal tutup ke saat transaksi"
            " benar-benar akan ditutup",
        ),
        _stale_open,
    ),
    Check(
        "open_deal_missing_amount",
        "deal",
        Text(
            "open deals without an amount",
            "transaksi terbuka tanpa nilai",
        ),
        _PIPELINE,
        Text(
            "enter the expected amount on each open deal",
            "isi perkiraan nilai di setiap transaksi terbuka",
        ),
        _open_no_amount,
    ),
    Check(
        "won_missing_amount",
        "deal",
        Text(
            "won deals without an amount",
            "transaksi menang tanpa nilai",
        ),
        _WON,
        Text(
            "enter the amount the customer signed for",
            "isi nilai yang ditandatangani pelanggan",
        ),
        _won_no_amount,
    ),
    Check(
        "won_missing_close_date",
        "deal",
        Text(
            "won deals without a close date (they count in no period)",
            "transaksi menang tanpa tanggal tutup (tidak terhitung di periode mana pun)",
        ),
        (*_WON, "win_rate", "sales_cycle_length"),
        Text(
            "enter the date the deal was won",
            "isi tanggal transaksi dimenangkan",
        ),
        _won_no_close,
    ),
    Check(
        "close_before_created",
        "deal",
        Text(
            "deals whose close date is before the day they were created",
            "transaksi yang tanggal tutupnya sebelum hari dibuat",
        ),
        ("sales_cycle_length", "win_rate"),
        Text(
            "correct the close date (or the created date, if the deal was entered late)",
            "perbaiki tanggal tutup (atau tanggal dibuat, jika transaksi dicatat terlambat)",
        ),
        _close_before_created,
    ),
    Check(
        "negative_deal_amount",
        "deal",
        Text(
            "deals with a negative amount (credits belong in invoice lines)",
            "transaksi bernilai negatif (kredit dicatat di baris faktur)",
        ),
        (*_WON, *_PIPELINE),
        Text(
            "enter the deal's value as a positive amount; book refunds as credit notes in billing",
            "catat nilai transaksi sebagai angka positif; catat pengembalian dana sebagai nota"
            " kredit di sistem penagihan",
        ),
        _negative_amount,
    ),
    Check(
        "deal_missing_owner",
        "deal",
        Text(
            "deals without an owner",
            "transaksi tanpa pemilik",
        ),
        ("quota_attainment", "sales_rep_productivity"),
        Text(
            "assign an owner to each deal",
            "tetapkan pemilik untuk setiap transaksi",
        ),
        _missing_owner("opportunities", "owner_id", "opportunity_id"),
    ),
    Check(
        "deal_unknown_owner",
        "deal",
        Text(
            "deals owned by a rep who is not in the reps table",
            "transaksi milik sales yang tidak ada di tabel reps",
        ),
        ("quota_attainment", "sales_rep_productivity", "win_rate"),
        Text(
            "reassign the deals of deactivated users, or import the users export as reps",
            "alihkan transaksi milik pengguna nonaktif, atau impor ekspor pengguna sebagai reps",
        ),
        _unknown_owner("opportunities", "owner_id", "opportunity_id"),
    ),
    Check(
        "lead_missing_owner",
        "lead",
        Text(
            "leads without an owner",
            "lead tanpa pemilik",
        ),
        ("lead_conversion_rate", "qualified_leads"),
        Text(
            "assign an owner to each lead (an assignment rule in the CRM does it on creation)",
            "tetapkan pemilik untuk setiap lead (aturan penugasan di CRM melakukannya saat lead"
            " dibuat)",
        ),
        _missing_owner("leads", "owner_id", "lead_id"),
    ),
    Check(
        "lead_unknown_owner",
        "lead",
        Text(
            "leads owned by a rep who is not in the reps table",
            "lead milik sales yang tidak ada di tabel reps",
        ),
        ("lead_conversion_rate", "qualified_leads"),
        Text(
            "reassign the leads of deactivated users, or import the users export as reps",
            "alihkan lead milik pengguna nonaktif, atau impor ekspor pengguna sebagai reps",
        ),
        _unknown_owner("leads", "owner_id", "lead_id"),
    ),
    Check(
        "activity_unknown_rep",
        "activity",
        Text(
            "activities logged by a rep who is not in the reps table",
            "aktivitas yang dicatat sales yang tidak ada di tabel reps",
        ),
        ("activities_per_rep", "time_spent_selling"),
        Text(
            "import the users export as reps (activities of former users stay as they are)",
            "impor ekspor pengguna sebagai reps (aktivitas mantan pengguna tetap seperti adanya)",
        ),
        _unknown_owner("activities", "rep_id", "activity_id"),
    ),
    Check(
        "stage_regression",
        "deal",
        Text(
            "deals whose stage moved back to an earlier stage",
            "transaksi yang tahapnya mundur ke tahap sebelumnya",
        ),
        ("stage_conversion", "time_in_stage", "pipeline_flow"),
        Text(
            "check the stage rules with the team: a deal should move back only when it truly lost"
            " ground, and its history should say why",
            "tinjau aturan tahap bersama tim: transaksi hanya mundur jika memang melemah, dan"
            " riwayatnya mencatat alasannya",
        ),
        _stage_regression,
    ),
    Check(
        "history_after_close",
        "deal",
        Text(
            "closed deals changed after the day they closed",
            "transaksi tertutup yang diubah setelah hari ditutup",
        ),
        ("total_revenue", "average_deal_size", "sales_forecast_accuracy"),
        Text(
            "lock closed deals in the CRM; correct a closed deal only through an approved change",
            "kunci transaksi tertutup di CRM; ubah hanya lewat perubahan yang disetujui",
        ),
        _history_after_close,
    ),
    Check(
        "currency_without_rate",
        "row",
        Text(
            "amounts in a currency that has no exchange rate to the base currency",
            "nilai dalam mata uang yang tidak punya kurs ke mata uang dasar",
        ),
        ("total_revenue", "mrr", "recognized_revenue", "customer_acquisition_cost"),
        Text(
            "import the missing rates into fx_rates (or correct the currency code)",
            "impor kurs yang hilang ke fx_rates (atau perbaiki kode mata uangnya)",
        ),
        _currency_without_rate,
    ),
    Check(
        "deal_id_spelled_twice",
        "deal",
        Text(
            "deals whose id differs from another's only by case or spaces (one deal imported"
            " twice)",
            "transaksi yang id-nya hanya berbeda huruf besar/kecil atau spasi dari transaksi lain"
            " (satu transaksi diimpor dua kali)",
        ),
        ("total_revenue", "win_rate", "pipeline_coverage"),
        Text(
            "keep one of the two records in the CRM and export ids exactly as the CRM writes them",
            "simpan salah satu dari dua catatan di CRM dan ekspor id persis seperti tertulis di"
            " CRM",
        ),
        _spelled_twice("opportunities", "opportunity_id"),
    ),
    Check(
        "lead_id_spelled_twice",
        "lead",
        Text(
            "leads whose id differs from another's only by case or spaces",
            "lead yang id-nya hanya berbeda huruf besar/kecil atau spasi dari lead lain",
        ),
        ("lead_conversion_rate", "qualified_leads"),
        Text(
            "merge the duplicate leads in the CRM",
            "gabungkan lead ganda di CRM",
        ),
        _spelled_twice("leads", "lead_id"),
    ),
    Check(
        "account_id_spelled_twice",
        "account",
        Text(
            "accounts whose id differs from another's only by case or spaces",
            "akun yang id-nya hanya berbeda huruf besar/kecil atau spasi dari akun lain",
        ),
        ("new_customers", "customer_churn_rate", "mrr"),
        Text(
            "merge the duplicate accounts in the CRM or billing system",
            "gabungkan akun ganda di CRM atau sistem penagihan",
        ),
        _spelled_twice("accounts", "account_id"),
    ),
    Check(
        "lead_converted_without_opportunity",
        "lead",
        Text(
            "leads marked converted without the deal they became",
            "lead yang ditandai terkonversi tanpa transaksi hasilnya",
        ),
        ("lead_conversion_rate", "lead_to_customer_rate"),
        Text(
            "convert leads through the CRM's convert action, which links the new deal",
            "konversi lead lewat tombol konversi di CRM, yang menautkan transaksi barunya",
        ),
        _converted_without_deal,
    ),
    Check(
        "overlapping_subscriptions",
        "account",
        Text(
            "accounts with two overlapping subscriptions of the same plan",
            "akun dengan dua langganan paket yang sama yang tumpang tindih",
        ),
        ("mrr", "arr", "mrr_expansion", "net_revenue_retention"),
        Text(
            "end the old subscription when the new one starts (or delete the duplicate)",
            "akhiri langganan lama saat yang baru dimulai (atau hapus duplikatnya)",
        ),
        _overlapping_subscriptions,
    ),
    Check(
        "overlapping_quotas",
        "rep",
        Text(
            "reps with two quotas whose periods overlap",
            "sales dengan dua kuota yang periodenya tumpang tindih",
        ),
        ("quota_attainment", "quota_attainment_rate"),
        Text(
            "keep one quota per rep and period (a quarter entered twice, or inside an annual"
            " quota)",
            "simpan satu kuota per sales dan periode (kuartal yang dimasukkan dua kali, atau di"
            " dalam kuota tahunan)",
        ),
        _overlapping_quotas,
    ),
)


def check(ws: Connection, only: tuple[str, ...] = ()) -> QualityReport:
    """Every check of :data:`CHECKS` (or those named in ``only``) on ``ws``'s data."""
    last = data_today(ws, [])
    today = last or dt.date.today()
    report = QualityReport(last)
    for c in CHECKS:
        if only and c.id not in only:
            continue
        report.findings.append(_run(ws, c, today))
    return report


def _run(ws: Connection, c: Check, today: dt.date) -> Finding:
    """One check's counts (one query) and examples (one more, only when it found some)."""
    bad, population = c.find(ws, today)
    bad = bad.distinct()
    counts = bad.aggregate(n=bad.count()).cross_join(
        population.distinct().aggregate(m=population.distinct().count())
    )
    row = ws.backend.to_pyarrow(counts).to_pylist()[0]
    count, out_of = int(row["n"] or 0), int(row["m"] or 0)
    examples: tuple[str, ...] = ()
    if count:
        listed = ws.backend.to_pyarrow(bad.order_by("id").limit(EXAMPLES))["id"].to_pylist()
        examples = tuple(str(x) for x in listed)
    return Finding(c, count, out_of, examples)
