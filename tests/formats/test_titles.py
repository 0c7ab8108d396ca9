"""Titles chosen from the document's structure, measured on the real corpus: every file with a
title a person would give it, and the file name where a person would find none."""

import pytest

from seoulrec.inputs.formats.identify import identify
from seoulrec.inputs.formats.registry import extract
from seoulrec.inputs.formats.titles import choose_title

from ..conftest import CORPUS

#: What a person reading each file calls it (labelled by hand from the documents themselves).
EXPECTED = {
    "pdf/bill_2125318_original.pdf": "기후위기 대응을 위한 탄소중립ㆍ녹색성장 기본법 일부개정법률안",
    "pdf/bill_2125318_review_report.pdf": "기후위기 대응을 위한 탄소중립ᆞ녹색성장 기본법 일부개정법률안 검토보고",
    "pdf/output_with_metadata_pymupdf.pdf": "Sample PDF with XMP Metadata",
    "pdf/002-trivial-libre-office-writer.pdf": "002-trivial-libre-office-writer",  # lorem ipsum: no title
    "pdf/minimal-document.pdf": "minimal-document",
    "pdf/pdflatex-4-pages.pdf": "pdflatex-4-pages",
    "pdf/with-attachment.pdf": "with-attachment",
    "hwp/nts_010000000000073971.hwp": "상가를 구분 소유한 자 들이 공동으로 상가를 재건축하는 경우 양도소득세 과세 여부",
    "hwp/nts_010000000000149440.hwp": "증여목적으로 자녀 명의의 예금계좌에 현금을 입금한 경우 증여세 과세",
    "hwp/nts_010000000000384737.hwp": "증권금융회사에 과세대상주식으로 통보하지 아니한 출자금에 대하여 소득공제가 가능한지 여부",
    "hwp/SimpleTable.hwp": "SimpleTable",
    "hwp/test.hwp": "test",
    "hwp/blank.hwp": "blank",
    "hwpx/mpm_recruitment_notice.hwpx": "인사혁신처 국민참여정책단 모집",
    "hwpx/seoul_sihaengmun.hwpx": "소규모주택정비사업 추진실적 제출('25.3분기)",
    "hwpx/sample1.hwpx": "수학",
    "hwpx/HeaderFooter.hwpx": "HeaderFooter",  # only a running header and footer
    "hwpx/MultiColumn.hwpx": "MultiColumn",
    "hwpx/SimpleTable.hwpx": "SimpleTable",
    "pairs/table_19_public_document_multi_page_composite.hwp": "다페이지 공문서형 표 종합 테스트",
    "pairs/table_19_public_document_multi_page_composite.hwpx": "다페이지 공문서형 표 종합 테스트",
    "pairs/table_20_real_world_ministry_style.hwp": "실무형 공문서 표 테스트",
    "pairs/table_20_real_world_ministry_style.hwpx": "실무형 공문서 표 테스트",
    "docx/blk-paras-and-tables.docx": "blk-paras-and-tables",
    "docx/footnotes.docx": "footnotes",
    "docx/doc-no-coreprops.docx": "doc-no-coreprops",
}


def first_line_title(extracted) -> str:
    """How titles were chosen before: the title property, else the first non-empty line."""
    meta = extracted.metadata
    title = str(
        meta.get("title")
        or meta.get("info", {}).get("Title")
        or meta.get("xmp", {}).get("title")
        or ""
    ).strip()
    return title or next((line.strip() for line in extracted.text.splitlines() if line.strip()), "")


def test_titles_of_the_real_corpus_come_out_right():
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is absent")
    right = before = 0
    wrong = []
    for relative, expected in EXPECTED.items():
        data = (CORPUS / relative).read_bytes()
        extracted = extract(data, relative.rsplit("/", 1)[-1], identify(data, relative))
        if extracted.title == expected:
            right += 1
        else:
            wrong.append((relative, extracted.title))
        before += first_line_title(extracted) == expected
    print(f"titles right: {right} of {len(EXPECTED)} (first line or title property: {before})")
    assert right == len(EXPECTED), wrong
    assert before < right


@pytest.mark.parametrize(
    "text,metadata,expected,where",
    [
        (
            "마음이 모이면 서울이 됩니다\n수신\t국토교통부장관\n제목\t공원 녹지 확충 계획\n본문",
            "",
            "공원 녹지 확충 계획",
            "field",
        ),
        (
            "[ 문서번호 ]\n법규-1\n[ 제    목 ]\n  양도소득세 과세 여부\n[ 요    지 ]",
            "엉뚱한 제목",
            "양도소득세 과세 여부",
            "field",
        ),
        (
            "- 1 -\n1. 질의내용\n주요 정책 추진 계획\n본문은 이렇게 시작합니다.",
            "문 내용",
            "주요 정책 추진 계획",
            "heading",
        ),
        (
            "인사혁신처 공고 제2023 - 311호\n국민참여정책단 모집\n본문",
            "인사혁신처 공고 제0000",
            "국민참여정책단 모집",
            "heading",
        ),
        ("This paragraph is a sentence, not a title, and it ends.", "Title", "report", "file_name"),
        ("서 울 특 별 시\n본문", "", "서울특별시", "heading"),
    ],
)
def test_choose_title_rules(text, metadata, expected, where):
    assert choose_title(text, metadata, file_stem="report") == (expected, where)
