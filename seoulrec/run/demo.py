"""A demo corpus the project generates itself, offline: approval packages in every supported
shape, an HWPX body with a printed foot, a manifest, unstructured materials and a few broken
files, so one command can show the whole pipeline. Tests and benchmarks reuse the builders."""

from __future__ import annotations

import base64
import io
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

DEPARTMENTS = [
    ("자전거정책과", "자전거정책과장", "공공자전거팀장", "교통"),
    ("전략주택공급과", "전략주택공급과장", "모아주택정책팀장", "주택도시계획"),
    ("복지정책과", "복지정책과장", "복지기획팀장", "복지"),
    ("기후환경정책과", "기후환경정책과장", "기후정책팀장", "환경"),
    ("재난안전정책과", "재난안전정책과장", "재난대응팀장", "안전"),
    ("문화정책과", "문화정책과장", "문화기획팀장", "문화관광"),
]
SUBJECTS = {
    "교통": ["공공자전거 대여소 확충 계획", "버스정류소 안전시설 개선", "교통약자 이동지원 계획"],
    "주택도시계획": [
        "소규모주택정비사업 추진실적 제출",
        "모아타운 관리계획 수립",
        "공공주택 공급 계획",
    ],
    "복지": ["기초생활수급자 생계급여 지급 계획", "노인 일자리 사업 추진", "장애인 활동지원 확대"],
    "환경": ["미세먼지 저감 대책 추진", "기후변화 대응 탄소중립 계획", "공원 녹지 확충 사업"],
    "안전": [
        "여름철 풍수해 대비 재난안전 점검",
        "지진 대비 시설물 안전 점검",
        "화재 예방 합동 점검",
    ],
    "문화관광": [
        "서울 문화의 밤 행사 개최",
        "관광 안내소 운영 계획",
        "공공도서관 문화 프로그램 운영",
    ],
}


DEMO_MARKER = ".seoulrec-demo"


def prepare_demo_folder(out: Path) -> None:
    """Create the demo folder, or accept one an earlier demo made; refuse anything else (a
    project folder with a real catalog must never receive demo records)."""
    from seoulrec.errors import UsageError

    out = Path(out)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"--out {out} is not a folder; give a new folder for the demo")
    if out.is_dir() and not (out / DEMO_MARKER).is_file() and any(True for _ in out.iterdir()):
        raise UsageError(
            f"--out {out} is not empty and was not made by `seoulrec demo`; nothing was touched. Give a new folder, e.g. --out seoulrec-demo"
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / DEMO_MARKER).write_text(
        "This folder was made by `seoulrec demo`; re-running the demo reuses it.\n", "utf-8"
    )


@dataclass
class DemoDoc:
    number: int
    department: str = "자전거정책과"
    final_position: str = "자전거정책과장"
    team_position: str = "공공자전거팀장"
    title: str = "공공자전거 대여소 확충 계획 알림"
    final_type: str = "전결"
    date: str = "2025-10-24"
    code: str = "1NNNNNNNN"
    attachments: list[str] = field(default_factory=list)
    body: str = "공공자전거 대여소를 아래와 같이 확충하고자 합니다."


def pubdoc_xml(doc: DemoDoc, encoding: str = "euc-kr") -> bytes:
    """A pubdoc.xml instance (DTD-shaped, XHTML entities in the body)."""
    label = {"1": "공개", "2": "부분공개", "3": "비공개"}[doc.code[0]]
    attach = "".join(f"<title>{escape(a)}</title>" for a in doc.attachments)
    text = f"""<?xml version="1.0" encoding="{encoding}"?>
<!DOCTYPE pubdoc SYSTEM "pubdoc.dtd">
<pubdoc>
 <head><organ>서울특별시</organ><receiptinfo><recipient refer="true"><rec>수신자 참조</rec></recipient></receiptinfo></head>
 <body separate="false"><title>{escape(doc.title)}</title>
  <content><p>1.&nbsp;{escape(doc.body)}</p><table><tr><td>자치구</td><td>수량&nbsp;계</td></tr><tr><td>마포구</td><td>{doc.number % 97}</td></tr></table><p>붙임&nbsp;&nbsp;자료 1부.&nbsp;&nbsp;끝.</p></content></body>
 <foot><sendername>서울특별시장</sendername><seal omit="true"/>
  <approvalinfo>
   <approval order="1"><signposition>주무관</signposition><type>기안</type><name>김담당</name><date>{doc.date}</date></approval>
   <approval order="2"><signposition>{doc.team_position}</signposition><type>검토</type><name>이팀장</name><date>{doc.date}</date></approval>
   <approval order="final"><signposition>{doc.final_position}</signposition><type>{doc.final_type}</type><name>박과장</name><date>{doc.date}</date></approval>
  </approvalinfo>
  <processinfo><regnumber regnumbercode="6110000{doc.number:06d}">{doc.department}-{doc.number}</regnumber><enforcedate>{doc.date}</enforcedate></processinfo>
  <sendinfo><zipcode>04524</zipcode><address>서울특별시 중구 세종대로 110</address><telephone>02-2133-0000</telephone><fax>02-2133-0001</fax><publication code="{doc.code}">{label}</publication></sendinfo>
 </foot>
 {"<attach>" + attach + "</attach>" if attach else ""}
</pubdoc>
"""
    return text.encode("cp949" if encoding.lower() == "euc-kr" else encoding)


def pack_xml(doc: DemoDoc, attachments: dict[str, bytes]) -> bytes:
    """A pack envelope with the pubdoc and attachments base64-encoded (names base64 of EUC-KR)."""
    parts = [
        '<?xml version="1.0" encoding="euc-kr"?>\n<!DOCTYPE pack SYSTEM "pack.dtd">\n<pack>\n'
        f"<header><send-orgcode>6110000</send-orgcode><send-id>gw-seoul</send-id><send-name>{doc.department}</send-name>"
        f"<date>{doc.date} 09:30:00</date><title>{escape(doc.title)}</title><doc-id>6110000{doc.number:06d}</doc-id>"
        '<doc-type type="send"/><dtd-version>2.0</dtd-version></header>\n<contents>\n'
        '<content content-role="pubdoc" content-transfer-encoding="base64" filename="pubdoc.xml" content-type="text/xml" charset="euc-kr">'
        + base64.b64encode(pubdoc_xml(doc)).decode()
        + "</content>\n"
    ]
    for name, body in attachments.items():
        encoded_name = base64.b64encode(name.encode("cp949")).decode()
        parts.append(
            f'<content content-role="attach" content-transfer-encoding="base64" filename="{encoded_name}" content-type="application/octet-stream" charset="euc-kr">'
            + base64.b64encode(body).decode()
            + "</content>\n"
        )
    parts.append("</contents>\n</pack>\n")
    return "".join(parts).encode("cp949")


def hwpx_bytes(
    paragraphs: list[str], title: str = "", foot_rows: list[list[str]] | None = None
) -> bytes:
    """A minimal HWPX (2011 namespaces): paragraphs, then the foot as a table."""
    hp = "http://www.hancom.co.kr/hwpml/2011/paragraph"
    hs = "http://www.hancom.co.kr/hwpml/2011/section"
    paras = "".join(f"<hp:p><hp:run><hp:t>{escape(p)}</hp:t></hp:run></hp:p>" for p in paragraphs)
    if foot_rows:
        rows = "".join(
            "<hp:tr>"
            + "".join(
                f"<hp:tc><hp:subList><hp:p><hp:run><hp:t>{escape(c)}</hp:t></hp:run></hp:p></hp:subList></hp:tc>"
                for c in row
            )
            + "</hp:tr>"
            for row in foot_rows
        )
        paras += f"<hp:p><hp:run><hp:tbl>{rows}</hp:tbl></hp:run></hp:p>"
    section = f'<?xml version="1.0" encoding="UTF-8"?><hs:sec xmlns:hs="{hs}" xmlns:hp="{hp}">{paras}</hs:sec>'
    hpf = (
        '<?xml version="1.0" encoding="UTF-8"?><opf:package xmlns:opf="http://www.idpf.org/2007/opf/">'
        f"<opf:metadata><opf:title>{escape(title)}</opf:title><opf:language>ko</opf:language></opf:metadata></opf:package>"
    )
    return zip_bytes(
        {
            "mimetype": b"application/hwp+zip",
            "Contents/content.hpf": hpf.encode(),
            "Contents/section0.xml": section.encode(),
            "Preview/PrvText.txt": "\n".join(paragraphs).encode(),
        }
    )


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A ZIP with fixed timestamps, so the same input always gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            zf.writestr(info, body)
    return buffer.getvalue()


def sihaengmun_hwpx(doc: DemoDoc) -> bytes:
    """An approval body whose printed foot (결문) carries the metadata, like the portal's."""
    y, m, d = doc.date.split("-")
    label = {"1": "공개", "2": "부분공개", "3": "비공개"}[doc.code[0]]
    grounds = [str(i) for i, c in enumerate(doc.code[1:], start=1) if c == "Y"]
    printed = f"{label}({','.join(grounds)})" if grounds else label
    return hwpx_bytes(
        ["서 울 특 별 시", "수신\t수신자 참조", f"제목\t{doc.title}", doc.body, "끝."],
        title=doc.title,
        foot_rows=[
            ["서 울 특 별 시 장"],
            [
                "주무관",
                "김담당",
                "",
                doc.team_position,
                "이팀장",
                "",
                doc.final_position,
                f"{int(m)}/{int(d)}",
                "代이팀장",
            ],
            ["협조자"],
            [
                "시행",
                f"{doc.department}-{doc.number}",
                "(",
                f"{y}. {int(m)}. {int(d)}.",
                ")",
                "접수",
                "",
                "(",
                "",
                ")",
            ],
            ["전화", "02-2133-0000", "/", printed],
        ],
    )


def random_doc(rng: random.Random, number: int) -> DemoDoc:
    department, final_position, team_position, field_name = rng.choice(DEPARTMENTS)
    subject = rng.choice(SUBJECTS[field_name])
    code = rng.choice(["1NNNNNNNN"] * 6 + ["2NNNNYNNN", "2NNNNNYNN", "3NNNNYNNN"])
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    return DemoDoc(
        number=number,
        department=department,
        final_position=final_position,
        team_position=team_position,
        title=f"2025년 {subject} 알림",
        final_type=rng.choice(["전결", "전결", "결재"]),
        date=f"2025-{month:02d}-{day:02d}",
        code=code,
        body=f"{subject}을(를) 아래와 같이 추진하고자 합니다.",
    )


def write_package(
    folder: Path, doc: DemoDoc, attachment_bytes: dict[str, bytes], encoding: str = "euc-kr"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pubdoc.xml").write_bytes(pubdoc_xml(doc, encoding))
    for name, body in attachment_bytes.items():
        (folder / name).write_bytes(body)
    return folder


def generate_demo(out: Path, seed: int = 2025, packages: int = 24) -> dict:
    """Write the demo corpus under ``out``; returns counts by kind."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    counts = {
        "packages": 0,
        "packs": 0,
        "zips": 0,
        "hwpx": 0,
        "manifests": 1,
        "materials": 0,
        "broken": 0,
    }
    approvals = out / "approvals"
    for i in range(1, packages + 1):
        doc = random_doc(rng, 1000 + i)
        attachment = f"붙임{i}.txt"
        doc.attachments = [attachment]
        write_package(
            approvals / f"pkg-{i:03d}", doc, {attachment: f"{doc.title} 붙임 자료\n".encode()}
        )
        counts["packages"] += 1
    # A pack envelope and a ZIP of a package.
    doc = random_doc(rng, 2001)
    doc.attachments = ["심사결과.txt"]
    (approvals / "transfer-2001.xml").write_bytes(
        pack_xml(doc, {"심사결과.txt": "심사 결과 요약\n".encode()})
    )
    counts["packs"] += 1
    doc = random_doc(rng, 2002)
    doc.attachments = ["계획서.txt"]
    (approvals / "package-2002.zip").write_bytes(
        zip_bytes({"pkg/pubdoc.xml": pubdoc_xml(doc), "pkg/계획서.txt": "계획서 본문\n".encode()})
    )
    counts["zips"] += 1
    # A package whose attachment is missing: catalogued as incomplete, not dropped.
    doc = random_doc(rng, 2003)
    doc.attachments = ["누락된 붙임.pdf"]
    write_package(approvals / "pkg-missing-attachment", doc, {})
    # HWPX approval bodies with a printed foot.
    bodies = out / "bodies"
    bodies.mkdir(exist_ok=True)
    for i in range(3):
        doc = random_doc(rng, 3001 + i)
        (bodies / f"결재문서본문-{i + 1}.hwpx").write_bytes(sihaengmun_hwpx(doc))
        counts["hwpx"] += 1
    # A manifest in the layout of Seoul's published list.
    manifest = out / "manifest"
    manifest.mkdir(exist_ok=True)
    rows = [
        "package_id,doc_prdctn_dt,tkcrd_nm,title,src_dept_doc_no,writer,othbc_pd,rspnber_dept_nm,othbc_se,cpyrht,url"
    ]
    for i in range(10):
        doc = random_doc(rng, 4001 + i)
        rows.append(
            f'20365449{8126000 + i},{doc.date.replace("-", "")},일반행정,"{doc.title} &lt;{i}&gt;",{doc.department}-{doc.number},김담당,5년,{doc.department},'
            f'{ {"1": "공개", "2": "부분공개", "3": "비공개"}[doc.code[0]] },"CC BY",https://opengov.seoul.go.kr/sanction/{21945893 + i}'
        )
    (manifest / "approval_list.csv").write_text("\n".join(rows) + "\n", "utf-8")
    # Unstructured materials and hostile files.
    materials = out / "materials" / "용역"
    materials.mkdir(parents=True, exist_ok=True)
    (materials / "연구용역_최종보고서.txt").write_text(
        "서울시 공공자전거 이용 활성화 연구\n최종보고서 요약\n", "utf-8"
    )
    (materials / "회의결과.txt").write_bytes(
        "2025년 제3차 교통정책 회의 결과\n참석자 및 논의 사항\n".encode("cp949")
    )
    (materials / "민원회신.txt").write_text(
        "민원인 홍길동 민원 회신\n민원인 연락처 010-1234-5678, 주민등록번호 900101-1234568\n담당 02-2133-0000\n",
        "utf-8",
    )
    counts["materials"] += 3
    broken = out / "broken"
    broken.mkdir(exist_ok=True)
    (broken / "malformed.xml").write_bytes(
        b'<?xml version="1.0"?>\n<pubdoc><head><organ>x</head></pubdoc>'
    )
    (broken / "xxe.xml").write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE pubdoc [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<pubdoc>&x;</pubdoc>'
    )
    (broken / "empty.hwp").write_bytes(b"")
    counts["broken"] += 3
    return counts


#: The demo's second organ: an autonomous district with its own inbox.
DISTRICT = ("서울특별시 강남구", "3220000")
CITY = ("서울특별시", "6110000")


def generate_district(out: Path, seed: int = 2026, packages: int = 6) -> int:
    """A district's inbox: approval packages from 강남구 departments."""
    rng = random.Random(seed)
    departments = [
        ("교통행정과", "교통행정과장"),
        ("복지정책과", "복지정책과장"),
        ("환경과", "환경과장"),
    ]
    subjects = [
        "주차장 정비 계획",
        "어르신 복지관 운영 계획",
        "미세먼지 저감 대책",
        "보행환경 개선 사업",
    ]
    for i in range(1, packages + 1):
        department, head = rng.choice(departments)
        doc = DemoDoc(
            number=5000 + i,
            department=department,
            final_position=head,
            team_position=f"{department[:-1]}팀장",
            title=f"강남구 {rng.choice(subjects)} ({i})",
            date=f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            code=rng.choice(["1NNNNNNNN", "1NNNNNNNN", "2NNNNYNNN"]),
            body="강남구 관내 현황을 아래와 같이 보고합니다.",
        )
        write_package(out / f"gangnam-{i:03d}", doc, {})
    return packages


def generate_meetings(out: Path, today) -> int:
    """A meetings manifest (회의 공개) around ``today``: upcoming meetings announced on time and
    late, held meetings with minutes published and one whose minutes are overdue."""
    from datetime import timedelta

    out.mkdir(parents=True, exist_ok=True)

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    (out / "제3차-교통정책위원회-회의록.txt").write_text(
        "제3차 교통정책위원회 회의록\n안건: 공공자전거 대여소 확충\n결과: 원안 가결\n", "utf-8"
    )
    (out / "제1차-자료.txt").write_text("제1차 교통정책위원회 안건 자료\n", "utf-8")
    rows = [
        "id,title,committee,scheduled,place,status,announced,minutes,materials,broadcast,department,field,organ",
        f"TP-2025-4,제4차 교통정책위원회,교통정책위원회,{day(10)} 14:00,서소문청사 1동 간담회장,예정,{day(-3)},,제1차-자료.txt,https://tv.seoul.go.kr/,자전거정책과,교통,서울특별시",
        f"SA-2025-1,안전점검 긴급회의,안전점검단,{day(3)} 10:00,본관 3층,예정,{day(0)},,,,안전총괄과,안전,서울특별시",
        f"TP-2025-3,제3차 교통정책위원회,교통정책위원회,{day(-4)} 14:00,서소문청사 1동 간담회장,완료,{day(-14)},제3차-교통정책위원회-회의록.txt,,https://tv.seoul.go.kr/,자전거정책과,교통,서울특별시",
        f"GN-2025-2,강남구 주차정책위원회,주차정책위원회,{day(-21)} 15:00,강남구청 회의실,완료,{day(-30)},,,,교통행정과,교통,서울특별시 강남구",
    ]
    (out / "meetings.csv").write_text("\n".join(rows) + "\n", "utf-8")
    return len(rows) - 1


def generate_registry(out: Path) -> None:
    """A pre-publication registry (사전공표) whose items the demo records partly fulfil."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "prepub.csv").write_text(
        "item_id,title,department,cycle,category,match\n"
        "BIKE-1,공공자전거 운영 현황,자전거정책과,quarterly,교통,공공자전거\n"
        "PARK-1,주차장 정비 계획,교통행정과,yearly,교통,주차장\n"
        "EXP-1,업무추진비 사용내역,,monthly,공통업무,업무추진비\n",
        "utf-8",
    )


def demo_config(catalog: str) -> str:
    """The demo project's seoulrec.toml: two organs' inboxes, meetings, the registry, and the
    classes of its unstructured materials."""
    from seoulrec.config import CONFIG_TEMPLATE

    base = CONFIG_TEMPLATE.format(catalog=catalog).replace(
        '[ingest.kinds]\n# Folder name -> unstructured material kind (비정형문서 종류), e.g.:\n# "용역" = "용역자료"\n# "회의" = "회의자료"\n',
        '[ingest.kinds]\n# Folder name -> unstructured material kind (비정형문서 종류).\n"용역" = "용역자료"\n"회의" = "회의자료"\n',
    )
    return (
        base
        + f"""
[disclosure.materials]
# Materials of these kinds are published unless something says otherwise.
"용역자료" = "public"
"회의록" = "public"
"회의자료" = "public"

[nightly]
out = "public"
meetings = "meetings/meetings.csv"
prepublication = "registry/prepub.csv"

[[nightly.inboxes]]
path = "corpus"
organ = "{CITY[0]}"
organ_code = "{CITY[1]}"

[[nightly.inboxes]]
path = "corpus-gangnam"
organ = "{DISTRICT[0]}"
organ_code = "{DISTRICT[1]}"
"""
    )
