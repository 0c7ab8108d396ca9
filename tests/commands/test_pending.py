"""Pending changes visible everywhere (issue 22): after `disclose set`, `classify set` or
`records withdraw`, and before `disclose apply`, `records show` (text and JSON), `records list`
(a column and --pending), `disclose explain` and `status` say what waits, who, and when."""

from __future__ import annotations

import json

import pytest

from seoulrec.run.demo import DemoDoc, write_package

from ..conftest import BACKENDS, init_catalog
from ..conftest import cli_json as j

TODAY = "2026-01-05"


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    return init_catalog(request, tmp_path, cli)


def _records(cli, catalog_path, tmp_path) -> list[int]:
    inbox = tmp_path / "inbox"
    for n in (1, 2, 3):
        write_package(inbox / f"p{n}", DemoDoc(number=n, date="2025-10-24"), {})
    assert cli("ingest", inbox, "--catalog", catalog_path).exit_code == 0
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    return [r["id"] for r in j(cli, "records", "list", "--catalog", catalog_path)]


def test_a_recorded_decision_shows_as_pending_until_applied(cli, catalog_path, tmp_path):
    first, second, _ = _records(cli, catalog_path, tmp_path)
    assert j(cli, "records", "show", first, "--catalog", catalog_path)["pending"] is None
    done = cli(
        "disclose", "set", first, "--class", "non_public", "--grounds", 6, "--reason",
        "개인정보 포함", "--today", TODAY, "--catalog", catalog_path,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    shown = j(cli, "records", "show", first, "--catalog", catalog_path)
    pending = shown["pending"]["disclosure"]
    assert pending["disclosure_class"] == "non_public" and pending["grounds"] == [6]
    assert pending["by"] == "test" and pending["at"]
    assert shown["decision"]["disclosure_class"] == "public"  # still the published one
    text = cli("records", "show", first, "--catalog", catalog_path).stdout
    assert "pending disclosure" in text and "non_public" in text and "disclose apply" in text
    # The list: a column and a filter.
    listed = j(cli, "records", "list", "--pending", "--catalog", catalog_path)
    assert [r["id"] for r in listed] == [first]
    table = cli("records", "list", "--csv", "--catalog", catalog_path).stdout.splitlines()
    assert table[0].endswith(",pending") and table[1].endswith(",disclosure")
    assert table[2].endswith(",")  # the second record waits for nothing
    explained = j(cli, "disclose", "explain", first, "--catalog", catalog_path, "--today", TODAY)
    assert explained["pending"]["disclosure"]["by"] == "test"
    assert "Pending: disclosure recorded by test" in explained["explanation"]
    status = j(cli, "status", "--catalog", catalog_path)
    assert status["pending"] == {"disclosure": 1, "classification": 0, "withdrawal": 0}
    # Applied: nothing waits any more.
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    shown = j(cli, "records", "show", first, "--catalog", catalog_path)
    assert shown["pending"] is None and shown["decision"]["disclosure_class"] == "non_public"
    assert j(cli, "records", "list", "--pending", "--catalog", catalog_path) == []
    assert j(cli, "status", "--catalog", catalog_path)["pending"]["disclosure"] == 0
    # The same decision set again changes nothing and is not pending (already in force).
    cli(
        "disclose", "set", first, "--class", "non_public", "--grounds", 6, "--reason",
        "개인정보 포함", "--today", TODAY, "--catalog", catalog_path,
    )  # fmt: skip
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    assert j(cli, "records", "show", first, "--catalog", catalog_path)["pending"] is None
    assert j(cli, "records", "show", second, "--catalog", catalog_path)["pending"] is None


def test_a_classification_and_a_withdrawal_show_as_pending(cli, catalog_path, tmp_path):
    first, second, _ = _records(cli, catalog_path, tmp_path)
    done = cli("classify", "set", first, "TRA", "--reason", "교통", "--catalog", catalog_path)
    assert done.exit_code == 0, done.output
    pending = j(cli, "records", "show", first, "--catalog", catalog_path)["pending"]
    assert pending["classification"]["category"] == "TRA"
    assert (
        cli("records", "withdraw", second, "--reason", "중복", "--catalog", catalog_path).exit_code
        == 0
    )
    withdrawn = j(cli, "records", "show", second, "--catalog", catalog_path)["pending"]
    assert withdrawn["withdrawal"]["by"] == "test"
    status = j(cli, "status", "--catalog", catalog_path)["pending"]
    assert status == {"disclosure": 0, "classification": 1, "withdrawal": 1}
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    assert j(cli, "records", "show", first, "--catalog", catalog_path)["pending"] is None
    assert j(cli, "records", "show", second, "--catalog", catalog_path)["pending"] is None
    assert j(cli, "status", "--catalog", catalog_path)["pending"] == dict.fromkeys(
        ("disclosure", "classification", "withdrawal"), 0
    )
    assert json.dumps(status)
