"""``disclose suspects``: a second look both ways, measured on Seoul's real week."""

import csv
import io

from ..conftest import cli_json as j
from ..conftest import corpus_file, open_db

WEEK = "seoul-opengov/info_list_2021-01-11.csv"


def _rows():
    return list(csv.DictReader(io.StringIO(corpus_file(WEEK).read_text("utf-8-sig"))))


def test_eval_on_the_real_week_finds_swapped_labels(cli):
    result = j(cli, "disclose", "suspects", "--eval", corpus_file(WEEK))
    assert result["records"] == 3107  # the week's 공개 and 비공개 rows (부분공개 are not listed)
    # Issue 21: at least 80% of relabelled records flagged each way, at most 10% of the rest.
    assert result["withheld_relabelled_public"]["records"] == 109
    assert result["withheld_relabelled_public"]["flagged"] >= 0.80
    assert result["public_relabelled_withheld"]["flagged"] >= 0.80
    assert result["unchanged"]["flagged"] <= 0.10


def test_suspects_of_a_catalog_never_change_a_decision(cli, catalog_path, tmp_path):
    rows = [r for r in _rows() if r["othbc_se"] in ("공개", "비공개")]
    picked = rows[:400] + [r for r in rows if r["othbc_se"] == "비공개"][:100]
    manifest = tmp_path / "list.csv"
    with manifest.open("w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=list(picked[0]))
        out.writeheader()
        out.writerows({**r, "package_id": str(900000000000000 + i)} for i, r in enumerate(picked))
    assert cli("ingest", "--catalog", catalog_path, manifest).exit_code == 0
    assert cli("disclose", "apply", "--catalog", catalog_path).exit_code == 0
    db = open_db(catalog_path)
    before = db.execute(
        "SELECT record_id, disclosure_class, seq FROM disclosures ORDER BY 1"
    ).fetchall()
    audit = db.execute("SELECT count(*) FROM audit").fetchone()[0]

    result = j(cli, "disclose", "suspects", "--catalog", catalog_path)
    assert result["records"] == len(before)
    assert result["to_open"] and result["to_check"]
    for item in result["to_open"]:
        assert item["declared"] == "비공개" and item["probability_withheld"] < 0.25
    for item in result["to_check"]:
        assert item["declared"] == "공개" and item["probability_withheld"] >= 0.35
        assert item["nearest_other_class"]  # the reason: titles officers withheld
    probabilities = [i["probability_withheld"] for i in result["to_check"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert len(result["to_open"]) + len(result["to_check"]) < 0.2 * len(before)

    db = open_db(catalog_path)
    assert (
        db.execute("SELECT record_id, disclosure_class, seq FROM disclosures ORDER BY 1").fetchall()
        == before
    )
    assert db.execute("SELECT count(*) FROM audit").fetchone()[0] == audit
    ids = cli("disclose", "suspects", "--catalog", catalog_path, "--csv")
    assert ids.exit_code == 0 and ids.stdout.splitlines()[0].startswith("look,id,title")


def test_bad_lists_are_refused(cli, tmp_path):
    only_public = tmp_path / "public.csv"
    only_public.write_text(
        "title,othbc_se\n" + "".join(f"제목 {i},공개\n" for i in range(20)), "utf-8"
    )
    result = cli("disclose", "suspects", "--eval", only_public)
    assert result.exit_code == 2 and "at least 5 rows each of 공개 and 비공개" in result.stderr
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    result = cli("disclose", "suspects", "--eval", binary)
    assert result.exit_code == 2 and "unknown encoding" in result.stderr
    result = cli("disclose", "suspects", "--eval", tmp_path / "missing.csv")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    no_class = tmp_path / "no_class.csv"
    no_class.write_text("title,department\n가,나\n", "utf-8")
    result = cli("disclose", "suspects", "--eval", no_class)
    assert result.exit_code == 2 and "needs a column for class" in result.stderr
