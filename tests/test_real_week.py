"""Seoul's real approval-document list round-trips (issue 19).

A whole real week (``../shared/corpus/seoul-opengov/info_list_2021-01-11.csv``, 17,078 rows)
is ingested, decided and exported as seoul-csv: one row per input row with the same
``package_id``; every field equal except where a documented policy changes it (README
"Seoul's lists in and out"): titles have runs of white space collapsed and personal data
masked, a CSV cell a spreadsheet would evaluate starts with ``'``, and ``url`` names the
original only when seoulrec's own decision publishes it.
"""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from seoulrec.publish.cells import spreadsheet_safe

from tests.conftest import cli_json, corpus_file

WEEK = "seoul-opengov/info_list_2021-01-11.csv"
SAMPLE = "seoul-opengov/info_list_sample.csv"


def _rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


def _exported(folder) -> dict[str, dict]:
    rows: dict[str, dict] = {}
    for part in sorted((folder / "parts").glob("*/index.csv")):
        for row in _rows(part):
            assert row["package_id"] not in rows, f"{row['package_id']} published twice"
            rows[row["package_id"]] = row
    return rows


def _round_trip(cli, tmp_path, source) -> tuple[list[dict], dict[str, dict], dict]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(source, inbox / source.name)
    catalog = tmp_path / "week.db"
    assert cli("init", "--catalog", catalog).exit_code == 0
    report = cli_json(cli, "ingest", inbox, "--catalog", catalog)
    cli_json(cli, "disclose", "apply", "--catalog", catalog)
    out = tmp_path / "csv"
    cli_json(cli, "export", "index", "-f", "seoul-csv", "-o", out, "--catalog", catalog)
    return _rows(source), _exported(out), {"report": report, "catalog": catalog, "inbox": inbox}


@pytest.mark.parametrize("name", [WEEK, SAMPLE])
def test_every_row_of_a_real_list_comes_out_once_with_its_fields(cli, tmp_path, name):
    source = corpus_file(name)
    rows, published, run = _round_trip(cli, tmp_path, source)
    assert run["report"]["added"] == len(rows), run["report"]
    assert run["report"]["updated"] == 0  # a repeated document number is not a new version
    assert sorted(published) == sorted(r["package_id"] for r in rows)
    differences: dict[str, int] = {}
    for row in rows:
        out = published[row["package_id"]]
        for field, value in row.items():
            if field == "title":
                # Documented: white space collapsed; personal data masked (none in this list's
                # titles: the portal masked them already, so a mask here is over-masking); a
                # cell a spreadsheet would evaluate ("- 남부순환로 ...") starts with ' (OWASP).
                expected = spreadsheet_safe(" ".join(value.split()))
                assert out["title"] == expected, (value, out["title"])
            elif field == "url":
                # Documented: the original's address only when our decision publishes it.
                assert out["url"] in (value, value.rsplit("/", 1)[0] + "/"), (value, out["url"])
                differences["url"] = differences.get("url", 0) + (out["url"] != value)
            else:
                assert out[field] == spreadsheet_safe(value), (field, value, out[field])
    # The officers' own class is kept for every row (공개 / 부분공개 / 비공개).
    assert differences.get("url", 0) < len(rows)


def test_a_rerun_adds_nothing_and_a_changed_row_becomes_a_version(cli, tmp_path):
    source = corpus_file(SAMPLE)
    rows, _, run = _round_trip(cli, tmp_path, source)
    catalog, inbox = run["catalog"], run["inbox"]
    again = cli_json(cli, "ingest", inbox, "--catalog", catalog)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 1)
    # The same document (same package_id) listed again next week with a corrected title.
    changed = dict(rows[0], title=rows[0]["title"] + " (정정)")
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerow(changed)
    (inbox / "next_week.csv").write_text(text.getvalue(), "utf-8")
    later = cli_json(cli, "ingest", inbox, "--catalog", catalog)
    assert (later["added"], later["updated"]) == (0, 1), later
    shown = cli_json(cli, "records", "list", "--catalog", catalog, "--limit", "100000")
    listed = shown if isinstance(shown, list) else shown.get("records", shown)
    titles = [r["title"] for r in listed]
    assert changed["title"] in titles
    assert rows[0]["title"] not in titles  # the older version is no longer current
    assert len(listed) == len(rows)
