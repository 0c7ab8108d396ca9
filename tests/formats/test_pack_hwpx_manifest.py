import pytest

from seoulrec.run.demo import DemoDoc, hwpx_bytes, pack_xml, sihaengmun_hwpx
from seoulrec.errors import CorruptDocument
from seoulrec.inputs.formats.hwpx import read_hwpx
from seoulrec.inputs.formats.manifest import read_manifest
from seoulrec.inputs.formats.pack import decode_filename, read_pack
from seoulrec.inputs.reading import build_package
from seoulrec.decide.ranks import Ladder, approval_level

from ..conftest import SHARED, corpus_file


def test_pack_example_decodes_pubdoc_and_base64_file_name():
    path = SHARED / "domain" / "examples" / "pack_example.xml"
    if not path.exists():
        pytest.skip("../shared/domain/examples is absent")
    pack = read_pack(path.read_bytes())
    assert pack.header["send-orgcode"] == "6110000"
    assert pack.pubdoc[0] == "pubdoc.xml"
    assert [name for name, _ in pack.attachments] == ["심사결과.pdf"]
    doc = build_package("pack_example.xml", path.read_bytes(), {}, 1)
    assert doc.document_number == "예산담당관-333"
    assert approval_level(doc.approvals, Ladder.default()) == "director"  # 재정기획관 ends in 관
    assert doc.disclosure_class == "public"
    # The placeholder bytes are reported as a bad attachment; the package itself is fine.
    (attachment,) = doc.attachments
    assert attachment.name == "심사결과.pdf" and attachment.status != "ok" and attachment.sha256


def test_pack_built_by_the_demo_round_trips():
    doc = DemoDoc(number=55, attachments=["붙임 1.txt"])
    extracted = build_package("t.xml", pack_xml(doc, {"붙임 1.txt": "내용".encode()}), {}, 1)
    assert extracted.document_number == "자전거정책과-55"
    assert [(a.name, a.status) for a in extracted.attachments] == [("붙임 1.txt", "ok")]
    assert extracted.attachments[0].text == "내용"


def test_pack_without_pubdoc_is_corrupt():
    data = b'<?xml version="1.0"?><pack><header/><contents><content content-role="attach" filename="a.txt">YWJj</content></contents></pack>'
    with pytest.raises(CorruptDocument, match="no content with content-role"):
        read_pack(data)


def test_file_name_decoding():
    assert decode_filename("vcm757DhsPoucGRm") == "심사결과.pdf"
    assert decode_filename("pubdoc.xml") == "pubdoc.xml"
    assert decode_filename("abcd") == "abcd"  # valid base64 but not a file name


def test_real_seoul_sihaengmun_hwpx_yields_its_foot():
    doc = read_hwpx(corpus_file("hwpx/seoul_sihaengmun.hwpx").read_bytes())
    assert doc.document_number == "전략주택공급과-13666"
    assert doc.enforcement_date == "2025-10-24"
    assert doc.title == "소규모주택정비사업 추진실적 제출('25.3분기)"
    assert doc.sender_name == "서울특별시장"
    chain = [(a.position, a.type, a.name) for a in doc.approvals if a.kind == "approval"]
    assert chain == [
        ("주무관", "기안", "이현수"),
        ("모아주택정책팀장", "검토", "이재훈"),
        ("전략주택공급과장", "대결", "이재훈"),
    ]
    assert approval_level(doc.approvals, Ladder.default()) == "division_head"
    assert (doc.disclosure_class, doc.grounds) == ("partial", [5])
    assert "국토교통부 도심주택공급협력과-3448" in doc.text


def test_generated_hwpx_foot_and_2024_namespace():
    doc = read_hwpx(sihaengmun_hwpx(DemoDoc(number=77, code="3NNNNNYNN", date="2025-03-05")))
    assert doc.document_number == "자전거정책과-77"
    assert doc.enforcement_date == "2025-03-05"
    assert (doc.disclosure_class, doc.grounds) == ("non_public", [6])
    owpml = hwpx_bytes(["첫 문단"]).replace(
        b"http://www.hancom.co.kr/hwpml/2011/paragraph",
        b"http://www.owpml.org/owpml/2024/paragraph",
    )
    assert read_hwpx(owpml).text == "첫 문단"


def test_real_approval_list_manifest_both_header_variants():
    data = corpus_file("seoul-opengov/info_list_sample.csv").read_bytes()
    manifest = read_manifest(data)
    assert len(manifest.rows) == 45
    first = manifest.rows[0]
    assert first.document_number == "신교119안전센터-5346"
    assert first.enforcement_date == "2020-12-30"
    assert first.disclosure_class == "partial"
    assert first.metadata["unit_task"] == "일상경비관리"
    header, rest = data.split(b"\n", 1)
    documented = (
        header.replace(b"tkcrd_nm", b"trck_card_nm")
        .replace(b"src_dept_doc_no", b"src_dept_doc_id")
        .replace(b"othbc_pd", b"othnd_pd")
        .replace(b"rspnber_dept_nm", b"dept_nm")
        .replace(b"othbc_se", b"othbs_se")
    )
    again = read_manifest(documented + b"\n" + rest)
    assert [r.to_dict() for r in again.rows] == [r.to_dict() for r in manifest.rows]


def test_manifest_entities_decoded_and_json_variant():
    csv_data = "package_id,doc_prdctn_dt,title,src_dept_doc_no,othbc_se\n1,20210104,&lt;120문자접수,민원과-1,공개\n".encode()
    assert read_manifest(csv_data).rows[0].title == "<120문자접수"
    json_data = '[{"package_id": "2", "doc_prdctn_dt": "20210105", "title": "A &amp; B", "src_dept_doc_id": "민원과-2", "othbs_se": "비공개"}]'.encode()
    row = read_manifest(json_data).rows[0]
    assert (row.title, row.document_number, row.disclosure_class) == (
        "A & B",
        "민원과-2",
        "non_public",
    )
