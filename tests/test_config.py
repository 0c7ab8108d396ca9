"""seoulrec.toml is checked against one schema at load: a wrong value is a usage error (exit 2)
that names the key, the value and what is expected; never an internal error."""

import pytest

BAD = [
    ("[catalog]\npath = 5", "catalog.path = 5", "text in quotes"),
    ('[disclosure]\nhold_days = "x"', "[disclosure.hold_days] must be a table", ""),
    ('[disclosure]\noriginals = "x"', "[disclosure.originals] must be a table", ""),
    (
        '[disclosure.review]\nrereview_years = "abc"',
        "disclosure.review.rereview_years = 'abc'",
        "whole number from 1 to 100",
    ),
    (
        "[disclosure.review]\nopen_after_years = 99999",
        "disclosure.review.open_after_years = 99999",
        "whole number from 1 to 100",
    ),
    ('[disclosure]\nmasking = "x"', "[disclosure.masking] must be a table", ""),
    (
        "[disclosure.masking]\noffice_phone_prefixes = [2]",
        "office_phone_prefixes = [2]",
        "a list of text",
    ),
    ('[ingest]\njobs = "many"', "ingest.jobs = 'many'", "whole number from 0 to 256"),
    ("[ingest]\njobs = -3", "ingest.jobs = -3", "whole number"),
    ("[ingest]\ntimeout = -1", "ingest.timeout = -1", "a number above 0"),
    ('[ingest]\npublication_flag_base = "x"', "ingest.publication_flag_base = 'x'", "from 0 to 1"),
    ('[classify]\nthreshold = "x"', "classify.threshold = 'x'", "a number above 0"),
    ("[disclosre]\nhold_days = {}", "unknown key disclosre", "known here"),
]


@pytest.mark.parametrize("text,names,expected", BAD, ids=[b[1] for b in BAD])
def test_a_wrong_value_names_the_key_value_and_expectation(cli, isolated, text, names, expected):
    (isolated / "seoulrec.toml").write_text(text + "\n", "utf-8")
    for command in (
        ("records", "list", "--catalog", isolated / "x.db"),
        ("disclose", "apply", "--catalog", isolated / "x.db"),
    ):
        result = cli(*command)
        assert result.exit_code == 2, result.output
        assert (
            names in result.stderr
            and expected in result.stderr
            and "internal error" not in result.stderr
        )


@pytest.mark.parametrize(
    "args", [("--jobs", "100000"), ("--memory-mb", "99999999999999"), ("--timeout", "-1")]
)
def test_resource_options_are_bounded(cli, catalog_path, tmp_path, args):
    src = tmp_path / "src"
    src.mkdir()
    result = cli("ingest", "--catalog", catalog_path, *args, src)
    assert result.exit_code == 2 and "internal error" not in result.output


def test_init_into_a_text_file_is_a_usage_error(cli, isolated):
    notes = isolated / "notes.txt"
    notes.write_text("hello")
    result = cli("init", "--catalog", notes)
    assert result.exit_code == 2 and notes.read_text() == "hello"
