"""Materials show the department and date the materials.csv or the file's own properties give
(issue 23: the portal showed 부서 미상 / 일자 미상 where they were known)."""

from ..conftest import corpus_file, open_db


def test_department_and_date_from_the_manifest_else_the_file(cli, catalog_path, tmp_path):
    folder = tmp_path / "materials"
    folder.mkdir()
    for name in ("pdf/bill_2125318_original.pdf", "docx/doc-coreprops.docx", "hwpx/sample1.hwpx"):
        (folder / name.split("/")[1]).write_bytes(corpus_file(name).read_bytes())
    (folder / "materials.csv").write_text(
        "file,kind,department,date\ndoc-coreprops.docx,연구보고서,자전거정책과,2025. 3. 4.\n",
        "utf-8",
    )
    assert cli("ingest", "--catalog", catalog_path, "--class", "public", folder).exit_code == 0
    rows = dict(
        (fmt, (department, day))
        for fmt, department, day in open_db(catalog_path).execute(
            "SELECT source_format, department, enforcement_date FROM records"
        )
    )
    assert rows["docx"] == ("자전거정책과", "2025-03-04")  # the manifest wins
    assert rows["pdf"] == ("", "2024-06-04")  # PDF CreationDate
    assert rows["hwpx"] == ("", "2022-11-16")  # HWPX CreatedDate
