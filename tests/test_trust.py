"""Never lose a real document, never publish what it must not (issue 19): each finding of the
outside attack, as a test that failed on the code before the fix."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from seoulrec.run.demo import DemoDoc, write_package
from seoulrec.inputs.discovery import Item
from seoulrec.inputs.reading import process_item

from .conftest import BACKENDS, cli_json, init_catalog

OPTIONS = {"max_file_mb": 64, "flag_base": 1}


@pytest.fixture(params=BACKENDS)
def any_catalog(request, tmp_path, cli):
    return init_catalog(request, tmp_path, cli)


def _secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", "utf-8")
    return secret


def test_a_meetings_manifest_publishes_nothing_outside_its_folder(cli, any_catalog, tmp_path):
    secret = _secret_file(tmp_path)
    folder = tmp_path / "meetings"
    folder.mkdir()
    (folder / "회의록.txt").write_text("제1차 회의록 본문", "utf-8")
    (folder / "link.txt").symlink_to(secret)
    (folder / "sub").mkdir()
    rows = [
        "id,title,scheduled,status,minutes,materials",
        "M1,제1차 위원회,2025-10-01 10:00,완료,회의록.txt,",
        "M2,제2차 위원회,2025-10-02 10:00,완료,../outside/passwd,",
        f"M3,제3차 위원회,2025-10-03 10:00,완료,{secret},",
        "M4,제4차 위원회,2025-10-04 10:00,완료,link.txt,",
        "M5,제5차 위원회,2025-10-05 10:00,완료,sub/../../outside/passwd,../../../../etc/passwd",
    ]
    manifest = folder / "meetings.csv"
    manifest.write_text("\n".join(rows) + "\n", "utf-8")
    result = cli("meetings", "import", manifest, "--catalog", any_catalog, "--json")
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    refused = {f["id"]: " ".join(f["errors"]) for f in report["failed"]}
    assert set(refused) == {"M2", "M3", "M4", "M5"}, refused
    assert "leaves the manifest's folder" in refused["M2"]
    assert "absolute path" in refused["M3"]
    assert "symbolic link" in refused["M4"]
    assert report["meetings"] == 5  # the meetings themselves are kept, without those files
    records = cli_json(cli, "records", "list", "--catalog", any_catalog)
    assert len(records) == 1  # only the minutes inside the folder
    shown = cli("records", "show", records[0]["id"], "--catalog", any_catalog, "--json")
    assert "root:x:0:0" not in shown.stdout


def test_meeting_dates_outside_any_plausible_year_are_refused(cli, any_catalog, tmp_path):
    manifest = tmp_path / "meetings.csv"
    manifest.write_text(
        "id,title,scheduled,status\nM1,옛 회의,0001-01-01 10:00,완료\nM2,회의,2025-10-01,완료\n",
        "utf-8",
    )
    report = json.loads(
        cli("meetings", "import", manifest, "--catalog", any_catalog, "--json").stdout
    )
    assert [f["id"] for f in report["failed"]] == ["M1"] and report["meetings"] == 1
    compliance = cli("compliance", "--catalog", any_catalog, "--json")
    assert compliance.exit_code == 0, compliance.output  # was an internal error every time


@pytest.mark.parametrize(
    "content",
    [
        "id,title,scheduled\nM1," + "가" * (10 * 2**20) + ",2025-10-01\n",  # a 10 MB field
        "[" * 100_000 + "]" * 100_000,  # JSON nested 100,000 deep
    ],
    ids=["huge-csv-field", "deep-json"],
)
def test_hostile_meetings_manifests_are_clear_errors(cli, catalog_path, tmp_path, content):
    manifest = tmp_path / "meetings.csv"
    manifest.write_text(content, "utf-8")
    result = cli("meetings", "import", manifest, "--catalog", catalog_path)
    assert result.exit_code == 2, result.output
    assert "error:" in result.stderr and "Traceback" not in result.output


def _package(inbox: Path, number: int, title: str, attachments: dict[str, bytes], code="1NNNNNNNN"):
    doc = DemoDoc(
        number=number, title=title, code=code, attachments=list(attachments), date="2025-10-24"
    )
    write_package(inbox / f"p{number}", doc, attachments, "utf-8")


def test_attachment_names_and_meeting_fields_are_masked_everywhere(cli, catalog_path, tmp_path):
    inbox = tmp_path / "inbox"
    _package(inbox, 1, "공개 문서", {"신청서_880808-1122334.txt": "신청 내용".encode()})
    _package(
        inbox,
        2,
        "비공개 문서",
        {"비공개_신청인 민하율_850505-2233445.txt": "내용".encode()},
        code="3NNNNYNNN",
    )
    assert cli("ingest", inbox, "--catalog", catalog_path).exit_code == 0
    meetings = tmp_path / "meetings.csv"
    meetings.write_text(
        "id,title,committee,scheduled,place,status,department\n"
        "M1,민원인 홍길동 면담,신청인 김철수 위원회,2025-10-01 10:00,연락 010-2345-6789,완료,담당 hong@example.com\n",
        "utf-8",
    )
    assert cli("meetings", "import", meetings, "--catalog", catalog_path).exit_code == 0
    cli_json(cli, "disclose", "apply", "--catalog", catalog_path, "--today", "2026-01-05")
    out = tmp_path / "site"
    cli_json(cli, "export", "site", "--out", out, "--catalog", catalog_path)
    from .exporters.test_site import bundle_text

    text = bundle_text(out)
    for never in ("1122334", "2233445", "민하율", "홍길동", "김철수", "2345-6789", "hong@"):
        assert never not in text, never
    assert "신청서_******-*******.txt" in text  # the name is shown, masked
    assert "민*율" in text and "홍*동" in text


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(cli, catalog_path, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rows = [
        "package_id,doc_prdctn_dt,tkcrd_nm,title,src_dept_doc_no,writer,othbc_pd,rspnber_dept_nm,othbc_se,cpyrht,url",
        '100000000000001,20251001,@SUM(1+1),"=HYPERLINK(""http://evil.example/"",""클릭"")",+1-2,-김,3년,@부서,공개,,',
    ]
    (inbox / "list.csv").write_text("\n".join(rows) + "\n", "utf-8")
    assert cli("ingest", inbox, "--catalog", catalog_path).exit_code == 0
    cli_json(cli, "disclose", "apply", "--catalog", catalog_path)
    out = tmp_path / "csv"
    cli_json(cli, "export", "index", "-f", "seoul-csv", "-o", out, "--catalog", catalog_path)
    published = next(out.glob("parts/*/index.csv")).read_text("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(published)))
    for field in ("title", "tkcrd_nm", "src_dept_doc_no", "writer", "rspnber_dept_nm"):
        assert row[field].startswith("'"), (field, row[field])
    assert row["title"] == '\'=HYPERLINK("http://evil.example/","클릭")'
    # JSON keeps the value as it is (no spreadsheet evaluates it).
    as_json = json.loads(next(out.glob("parts/*/index.json")).read_text("utf-8"))
    assert as_json[0]["title"].startswith("=HYPERLINK")


@pytest.mark.parametrize("url", ["javascript:alert(1)//", "data:text/html,x", "file:///etc/"])
def test_only_http_base_urls_are_accepted(cli, catalog_path, url):
    config = catalog_path.parent / "seoulrec.toml"
    config.write_text(config.read_text("utf-8") + f'\n[export]\nbase_url = "{url}"\n', "utf-8")
    result = cli("status")
    assert result.exit_code == 2 and "http:// or https://" in result.stderr


def _exported(cli, catalog_path, tmp_path) -> Path:
    inbox = tmp_path / "inbox"
    _package(inbox, 1, "공개 문서", {})
    assert cli("ingest", inbox, "--catalog", catalog_path).exit_code == 0
    cli_json(cli, "disclose", "apply", "--catalog", catalog_path)
    out = tmp_path / "index"
    cli_json(cli, "export", "index", "-f", "jsonl", "-o", out, "--catalog", catalog_path)
    return out


def test_files_a_user_adds_to_an_output_folder_survive_the_next_export(cli, catalog_path, tmp_path):
    out = _exported(cli, catalog_path, tmp_path)
    (out / "CNAME").write_text("open.example.kr\n", "utf-8")
    (out / "custom").mkdir()
    (out / "custom" / "page.html").write_text("<p>우리 구청 안내</p>", "utf-8")
    _package(tmp_path / "inbox", 2, "새 문서", {})
    assert cli("ingest", tmp_path / "inbox", "--catalog", catalog_path).exit_code == 0
    cli_json(cli, "disclose", "apply", "--catalog", catalog_path)
    report = cli_json(
        cli,
        "export",
        "index",
        "-f",
        "jsonl",
        "-o",
        out,
        "--since",
        "last",
        "--catalog",
        catalog_path,
    )
    assert (out / "CNAME").read_text("utf-8") == "open.example.kr\n"
    assert (out / "custom" / "page.html").is_file()
    assert report["kept"] == ["CNAME", "custom/page.html"]
    # The site too.
    site = tmp_path / "site"
    cli_json(cli, "export", "site", "--out", site, "--catalog", catalog_path)
    (site / "CNAME").write_text("open.example.kr\n", "utf-8")
    cli_json(cli, "export", "site", "--out", site, "--catalog", catalog_path)
    assert (site / "CNAME").is_file()


def test_a_copied_manifest_does_not_make_a_folder_seoulrecs(cli, catalog_path, tmp_path):
    out = _exported(cli, catalog_path, tmp_path)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("논문 원고", "utf-8")
    (foreign / "manifest.json").write_bytes((out / "manifest.json").read_bytes())
    result = cli("export", "index", "-f", "jsonl", "-o", foreign, "--catalog", catalog_path)
    assert result.exit_code == 2 and "seoulrec did not make it" in result.stderr
    assert (foreign / "thesis.txt").read_text("utf-8") == "논문 원고"


@pytest.mark.parametrize("system", ["/etc", "/root", "/usr", "/var"])
def test_nightly_plans_refuse_system_folders_as_export_does(tmp_path, catalog_path, system):
    """Checked on the plan (nothing runs): a regression must not write into /etc here."""
    from seoulrec.config import load_config
    from seoulrec.errors import UsageError
    from seoulrec.run.pipeline import Plan

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    plan = Plan.from_config(load_config(), inboxes=[inbox], out=Path(system))
    with pytest.raises(UsageError, match="system folder"):
        plan.check(catalog_path)


def test_a_refused_nightly_says_why_on_stdout(cli, catalog_path, tmp_path):
    """/proc: a folder nothing can be written into, so even a regression changes nothing."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    result = cli("nightly", "--inbox", inbox, "--out", "/proc", "--catalog", catalog_path, "--json")
    assert result.exit_code == 2, result.output
    assert "system folder" in result.stderr
    refused = json.loads(result.stdout)  # a CI job reading stdout learns why nothing ran
    assert refused["status"] == "refused" and refused["exit_code"] == 2


def test_a_catalog_path_that_is_not_a_catalog_is_never_written(cli, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    for command in (["ingest", tmp_path], ["disclose", "apply"], ["status"]):
        for target in (empty, Path("/proc/self/environ")):
            result = cli(*command, "--catalog", target)
            assert result.exit_code == 2, (command, target, result.output)
            assert "not a seoulrec catalog" in result.stderr
    assert empty.stat().st_size == 0


def test_deeply_nested_toml_is_a_config_error(cli, tmp_path):
    (tmp_path / "work" / "seoulrec.toml").write_text("x = " + "[" * 900 + "]" * 900 + "\n")
    result = cli("status")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_malformed_postgresql_url_is_a_clear_error(cli):
    result = cli("status", "--catalog", "postgresql://seoulrec:secret@[::1")
    assert result.exit_code == 2 and "malformed URL" in result.stderr
    assert "secret" not in result.output


def test_a_read_only_postgresql_session_is_a_clear_error(cli, pg_url):
    url = (
        pg_url + ("&" if "?" in pg_url else "?") + "options=-c%20default_transaction_read_only%3Don"
    )
    result = cli("init", "--catalog", url)
    assert result.exit_code == 2 and "read-only" in result.stderr, result.output


def test_a_fifo_inside_a_package_is_never_opened(tmp_path, monkeypatch):
    package = tmp_path / "p1"
    write_package(package, DemoDoc(number=1), {})
    os.mkfifo(package / "붙임.hwp")
    opened: list[str] = []
    real_open = os.open

    def watching(path, *args, **kwargs):
        opened.append(os.fsdecode(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", watching)
    result = process_item(Item(str(package), "package_dir"), OPTIONS, None)
    assert result["outcome"] == "unreadable" and "FIFO" in result["message"]
    assert not any(p.endswith("붙임.hwp") for p in opened)


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def _docx_bomb(path: Path) -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "word/document.xml",
            BOMB
            + f"<w:document {w}><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>",
        )


def _hwpx_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr(
            "Contents/content.hpf",
            '<?xml version="1.0"?><opf:package xmlns:opf="http://www.idpf.org/2007/opf/"><opf:manifest>'
            '<opf:item id="section0" href="Contents/section0.xml" media-type="application/xml"/>'
            '</opf:manifest><opf:spine><opf:itemref idref="section0"/></opf:spine></opf:package>',
        )
        z.writestr(
            "Contents/section0.xml",
            BOMB + '<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
            'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"><hp:p><hp:run><hp:t>&lol3;</hp:t></hp:run></hp:p></hs:sec>',
        )


@pytest.mark.parametrize("make,name", [(_docx_bomb, "bomb.docx"), (_hwpx_bomb, "bomb.hwpx")])
def test_entity_bombs_in_docx_and_hwpx_are_unsafe(tmp_path, make, name):
    path = tmp_path / name
    make(path)
    result = process_item(Item(str(path), "file"), OPTIONS, None)
    assert result["outcome"] == "unsafe", result["message"]


def _night(cli, catalog_path, inbox, out, expect: int) -> dict:
    result = cli(
        "nightly", "--inbox", inbox, "--out", out, "--no-site", "--today", "2026-01-05",
        "--catalog", catalog_path, "--json",
    )  # fmt: skip
    assert result.exit_code == expect, result.output
    return json.loads(result.stdout)


def test_a_known_failure_is_reported_once_and_nights_go_quiet(cli, any_catalog, tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "public"
    _package(inbox, 1, "공개 문서", {})
    broken = inbox / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    first = _night(cli, any_catalog, inbox, out, 3)["stages"]["ingest"]
    assert [f["reason"] for f in first["failed"]] == ["corrupt"]
    for _ in range(2):  # the same file, failing the same way: known, the night is quiet
        later = _night(cli, any_catalog, inbox, out, 0)["stages"]["ingest"]
        assert later["failed"] == [] and later["known_failure_count"] == 1
        assert later["known_failures"][0]["path"] == first["failed"][0]["path"]
    # status, failures and compliance agree: one open failure, stored once.
    listed = cli_json(cli, "failures", "--catalog", any_catalog)
    status = cli_json(cli, "status", "--catalog", any_catalog)
    compliance = cli_json(cli, "compliance", "--catalog", any_catalog, "--today", "2026-01-05")
    assert len(listed) == status["open_failures"] == compliance["counts"]["ingest_failure"] == 1
    # Resolved by hand: stays resolved while the file is the same.
    assert (
        cli(
            "failures",
            "resolve",
            listed[0]["id"],
            "--note",
            "not a record",
            "--catalog",
            any_catalog,
        ).exit_code
        == 0
    )
    _night(cli, any_catalog, inbox, out, 0)
    assert cli_json(cli, "failures", "--catalog", any_catalog) == []
    assert cli_json(cli, "status", "--catalog", any_catalog)["open_failures"] == 0
    # A changed file is a new failure again.
    broken.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    again = _night(cli, any_catalog, inbox, out, 3)["stages"]["ingest"]
    assert len(again["failed"]) == 1
    assert len(cli_json(cli, "failures", "--catalog", any_catalog)) == 1


def test_a_first_publication_counts_as_newly_public(cli, catalog_path, tmp_path):
    inbox = tmp_path / "inbox"
    _package(inbox, 1, "공개 문서", {})
    assert cli("ingest", inbox, "--catalog", catalog_path).exit_code == 0
    first = cli_json(cli, "disclose", "apply", "--catalog", catalog_path, "--today", "2026-01-05")
    assert first["original_public"] == 1 and first["newly_public"] == 1


def test_records_without_an_approval_chain_are_not_an_unresolved_rank(cli, catalog_path, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "list.csv").write_text(
        "package_id,doc_prdctn_dt,title,src_dept_doc_no,rspnber_dept_nm,othbc_se\n"
        "100000000000001,20251001,목록의 문서,예방과-1,예방과,공개\n",
        "utf-8",
    )
    assert cli("ingest", inbox, "--catalog", catalog_path).exit_code == 0
    cli_json(cli, "disclose", "apply", "--catalog", catalog_path)
    counts = cli_json(cli, "compliance", "--catalog", catalog_path)["counts"]
    assert counts["no_approval_chain"] == 1 and counts["unresolved_rank"] == 0


def _parent_peak_mib(tmp_path: Path, *args) -> tuple[int, dict]:
    """Run an ingest in a process of its own and return its own peak RSS (not its readers'):
    VmHWM of its address space (ru_maxrss would carry the forking test process's peak over
    the exec)."""
    import subprocess
    import sys

    wrapper = (
        "import sys, runpy\n"
        "if __name__ == '__main__':\n"
        "    sys.argv = ['seoulrec', *sys.argv[2:]]\n"
        "    try:\n"
        "        runpy.run_module('seoulrec', run_name='__main__')\n"
        "    finally:\n"
        "        hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
        "        open(sys.argv_peak, 'w').write(hwm.split()[1])\n"
    ).replace("sys.argv_peak", repr(str(tmp_path / "peak")))
    script = tmp_path / "peak_wrapper.py"
    script.write_text(wrapper, "utf-8")
    done = subprocess.run(
        [sys.executable, str(script), "x", *map(str, args), "--json"],
        capture_output=True, text=True, cwd=tmp_path / "work",
    )  # fmt: skip
    return int((tmp_path / "peak").read_text()) // 1024, json.loads(done.stdout)


def _text_file(path: Path, mib: int) -> None:
    line = ("서울시 정보공개 자료 " * 10 + "\n").encode()
    with open(path, "wb") as fh:
        written = 0
        while written < mib * 2**20:
            fh.write(line * 1000)
            written += len(line) * 1000


@pytest.mark.parametrize(
    "mib,limit",
    [pytest.param(40, 16, id="40MiB"), pytest.param(450, 32, id="450MiB", marks=pytest.mark.slow)],
)
def test_the_ingest_parent_stays_bounded_whatever_an_items_text(catalog_path, tmp_path, mib, limit):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _text_file(inbox / "huge.txt", mib)
    peak, report = _parent_peak_mib(
        tmp_path, "ingest", inbox, "--catalog", catalog_path, "--max-text-mb", limit
    )
    assert [f["reason"] for f in report["failed"]] == ["too_large"]
    assert "max_text_mb" in report["failed"][0]["message"]
    print(f"{mib} MiB of text: the parent's peak {peak} MiB")
    assert peak < 300, peak


@pytest.mark.parametrize("size", [0, 1, 4096, (1 << 20) + 3, (3 << 20) + 1])
def test_a_regular_file_is_read_whole_and_exactly(tmp_path, size):
    """``read_regular`` reads by ``os.read`` on the checked descriptor: every byte, whatever
    the size (a file larger than one read, an empty one), and refuses what is over the limit."""
    from seoulrec.errors import TooLarge
    from seoulrec.inputs.discovery import read_regular

    data = os.urandom(size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert read_regular(path, 8 << 20) == data
    assert read_regular(str(path), 8 << 20) == data
    if size > 1 << 20:
        with pytest.raises(TooLarge):
            read_regular(path, 1 << 20)


def test_read_regular_refuses_links_and_fifos_unopened(tmp_path):
    from seoulrec.errors import Unreadable, UnsafeInput
    from seoulrec.inputs.discovery import read_regular

    target = tmp_path / "t.txt"
    target.write_text("x", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(target)
    with pytest.raises(UnsafeInput):
        read_regular(tmp_path / "link.txt", 1 << 20)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(Unreadable, match="FIFO"):
        read_regular(tmp_path / "pipe", 1 << 20)  # returns at once: a FIFO is never opened
    assert read_regular("/proc/self/stat", 1 << 20)  # size 0 in stat, read to its end
