"""The mapping assistant on headers it has never seen: synonyms, other languages, and columns
found from their values alone."""

from __future__ import annotations

from pathlib import Path

from salesmetrics import Workspace
from salesmetrics.ingest.suggest import profile, propose, suggest_file
from salesmetrics.schema import table
from tests.ingest.conftest import write

INDONESIAN = (
    "Kode,Nama Transaksi,Nilai,Tanggal Tutup,Tahap,Pemilik,Perusahaan,Catatan\n"
    'TX-1,POS Jakarta,"Rp 45.000.000",21/02/2024,Menang,Rina,Kopi Kenangan,cepat\n'
    'TX-2,Dashboard,"Rp 18.500.000",02/03/2024,Negosiasi,Budi,Tokopedia,\n'
    'TX-3,Armada,"Rp 60.000.000",30/06/2024,Proposal,Rina,Gojek,besar\n'
)


def test_indonesian_headers(ws: Workspace, tmp_path: Path) -> None:
    found = suggest_file(ws, "opportunities", write(tmp_path / "transaksi.csv", INDONESIAN))
    assert found.mapping == {
        "opportunity_id": "Kode",
        "account_id": "Perusahaan",
        "owner_id": "Pemilik",
        "name": "Nama Transaksi",
        "close_date": "Tanggal Tutup",
        "stage": "Tahap",
        "amount": "Nilai",
    }
    assert found.missing == ()
    assert found.unmapped == ("Catatan",)
    # the values call for a day-first date format and a decimal comma
    assert found.options == ("--decimal ,", "--date-format %d/%m/%Y")
    assert "--map name='Nama Transaksi'" in found.map_options()


def test_the_proposal_imports(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "transaksi.csv", INDONESIAN)
    found = suggest_file(ws, "opportunities", path)
    result = ws.import_file(
        "opportunities", path, mapping=found.mapping, decimal=",", date_format="%d/%m/%Y"
    )
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)


def test_synonyms_and_spelling() -> None:
    samples = {
        "Deal Title": ["Acme", "Globex"],
        "Deal Value (USD)": ["1,200.00", "950"],
        "Win Likelihood": ["20", "80"],
        "Expected Closing Date": ["2024-05-01", "2024-06-30"],
        "Phase": ["Demo", "Closed Won"],
        "Opportunity Number": ["A-1", "A-2"],
    }
    chosen, missing = propose(table("opportunities"), samples)
    assert {p.column: p.header for p in chosen} == {
        "opportunity_id": "Opportunity Number",
        "name": "Deal Title",
        "close_date": "Expected Closing Date",
        "stage": "Phase",
        "amount": "Deal Value (USD)",
        "probability": "Win Likelihood",
    }
    assert missing == []


def test_values_veto_a_name() -> None:
    """A header named like a date column whose values are not dates is not proposed for it, and
    a required column no header names is found from its values when one column alone fits."""
    samples = {
        "ref": ["L-1", "L-2", "L-3"],
        "created": ["yes", "no", "yes"],
        "first contact": ["2024-01-02 10:00", "2024-01-03 11:00", "2024-02-01 09:30"],
    }
    chosen, missing = propose(table("leads"), samples)
    mapping = {p.column: p.header for p in chosen}
    assert mapping["created_at"] == "first contact"
    assert "created" not in mapping.values()
    assert missing == ["lead_id"] or mapping.get("lead_id") == "ref"


def test_profile_reads_grouped_numbers() -> None:
    p = profile(["Rp 45.000.000", "1.234,50", "(12.50)", "", None])
    assert p.n == 3
    assert p.numbers == (45000000.0, 1234.5, -12.5)
