import tracemalloc

import pytest

from seoulrec.run.demo import DemoDoc, pubdoc_xml
from seoulrec.errors import CorruptDocument, EmptyDocument, UnsafeInput
from seoulrec.inputs.formats.pubdoc import read_pubdoc
from seoulrec.decide.publication import parse_code, parse_printed

from ..conftest import SHARED


def example() -> bytes:
    path = SHARED / "domain" / "examples" / "pubdoc_example.xml"
    if not path.exists():
        pytest.skip("../shared/domain/examples is absent")
    return path.read_bytes()


def test_reads_the_euc_kr_example_with_entities_and_table():
    doc = read_pubdoc(example())
    assert doc.organ == "서울특별시"
    assert doc.title == "2027년 공공자전거 대여소 확충 계획 알림"
    assert "1. 관련: 자전거정책과-1010(2027. 2. 1.)" in doc.text  # &nbsp; resolved without the DTD
    assert "마포구\t12" in doc.text  # table rows, cells tab-separated
    assert doc.recipients == ["수신자 참조"]
    assert doc.sender_name == "서울특별시장"
    assert doc.document_number == "자전거정책과-1088"
    assert doc.regnumbercode == "6110000001088"
    assert doc.enforcement_date == "2027-02-11"
    assert (doc.disclosure_class, doc.grounds, doc.publication_code) == (
        "partial",
        [6],
        "2NNNNNYNN",
    )
    assert doc.attachment_names == ["확충 대상지 목록.hwpx"]
    chain = [
        (a.kind, a.order, a.position, a.type, a.name, a.date, a.is_final) for a in doc.approvals
    ]
    assert chain == [
        ("approval", 1, "주무관", "기안", "정예시", "2027-02-10", False),
        ("approval", 2, "공공자전거팀장", "검토", "류예시", "2027-02-10", False),
        ("approval", 3, "자전거정책과장", "전결", "송예시", "2027-02-11", True),
        ("assist", 1, "도로관리과장", "협조", "표예시", "2027-02-10", False),
    ]


def test_utf8_and_euc_kr_give_the_same_result():
    doc = DemoDoc(number=7, title="서울시 &amp; 자치구 협력")
    a = read_pubdoc(pubdoc_xml(doc, "euc-kr"))
    b = read_pubdoc(pubdoc_xml(doc, "utf-8"))
    assert a.title == b.title and a.text == b.text and a.approvals == b.approvals


def test_wrong_encoding_declaration_is_read_with_a_warning():
    data = pubdoc_xml(DemoDoc(number=8), "utf-8").replace(b'encoding="utf-8"', b'encoding="euc-kr"')
    doc = read_pubdoc(data)
    assert doc.title == "공공자전거 대여소 확충 계획 알림"
    assert any("declared encoding 'euc-kr' is wrong" in w for w in doc.warnings)


def test_undecodable_bytes_are_a_clear_error():
    data = b'<?xml version="1.0" encoding="utf-8"?><pubdoc><body><title>\xff\xfe\xfa\xfb</title></body></pubdoc>'
    with pytest.raises(CorruptDocument, match="neither the declared"):
        read_pubdoc(data.replace(b"\xff\xfe\xfa\xfb", b"\x80\xff\x80\xff"))


def test_undefined_entity_names_the_entity_and_line():
    data = pubdoc_xml(DemoDoc(number=9)).replace(b"&nbsp;", b"&foo;", 1)
    with pytest.raises(
        CorruptDocument, match=r"entity &foo; is not defined by the pubdoc DTD \(line \d+\)"
    ):
        read_pubdoc(data)


def test_external_entity_is_refused_unread(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    data = f'<?xml version="1.0"?><!DOCTYPE pubdoc [<!ENTITY x SYSTEM "file://{secret}">]><pubdoc><body><title>&x;</title></body></pubdoc>'.encode()
    with pytest.raises(UnsafeInput, match="external entity"):
        read_pubdoc(data)


def test_entity_expansion_bomb_is_refused_quickly_without_memory_growth():
    lol = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    data = f'<?xml version="1.0"?><!DOCTYPE pubdoc [{lol}]><pubdoc><body><title>&lol9;</title></body></pubdoc>'.encode()
    tracemalloc.start()
    with pytest.raises(UnsafeInput, match="entity-expansion bomb"):
        read_pubdoc(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 5 * 2**20  # expansion would need gigabytes


def test_malformed_xml_reports_the_line():
    with pytest.raises(CorruptDocument, match=r"malformed XML: .* \(line 2\)"):
        read_pubdoc(b'<?xml version="1.0"?>\n<pubdoc><head><organ>x</head></pubdoc>')


def test_empty_file():
    with pytest.raises(EmptyDocument):
        read_pubdoc(b"  \n")


def test_wrong_root_element():
    with pytest.raises(CorruptDocument, match="not <pubdoc>"):
        read_pubdoc(b"<?xml version='1.0'?><html><body/></html>")


@pytest.mark.parametrize(
    "code,base,expected",
    [
        ("1NNNNNNNN", 1, ("public", ())),
        ("2NNNNYNNN", 1, ("partial", (5,))),
        ("3NNNNNYNN", 1, ("non_public", (6,))),
        ("3YNNNNNNY", 1, ("non_public", (1, 8))),
        ("2NNNNNYNN", 0, ("partial", (5,))),  # 0-based writer: position 6 is ground 5
        ("2NNNNNYNNN", 1, ("partial", (5,))),  # 10 characters: flag 0 is an unused placeholder
    ],
)
def test_publication_codes(code, base, expected):
    parsed = parse_code(code, flag_base=base)
    assert (parsed.disclosure_class, parsed.grounds) == expected
    assert len(parsed.code) == 9  # written back in the 1-based form


@pytest.mark.parametrize("code", ["", "4NNNNNNNN", "1NNNN", "2NNNNXNNN", "2YNNNNNNNN"])
def test_malformed_publication_codes(code):
    with pytest.raises(CorruptDocument):
        parse_code(code)


def test_printed_class():
    assert parse_printed("... / 부분공개(5)").grounds == (5,)
    assert parse_printed("비공개(5,6)").disclosure_class == "non_public"
    assert parse_printed("비공개(5,6)").grounds == (5, 6)
    assert parse_printed("no class here") is None
