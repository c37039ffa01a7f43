"""`loaso drafts import`: a Word draft becomes drafts/<id>.yaml with a stable section tree."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE

from bot.reports import draft_import as di
from content.loader import load_pack
from content.pack import flatten
from tests.bot.test_cli import run
from tests.conftest import MINI_PACK

Para = tuple[str, str | None]  # text, style name (None: Normal)


def make_docx(path: Path, paragraphs: list[Para], *, vietnamese_styles: bool = False) -> Path:
    document = docx.Document()
    if vietnamese_styles:
        # what a commune's own template may have: a custom style named in Vietnamese, and
        # another one built on Heading 2 under a name that says nothing
        document.styles.add_style("Tiêu đề 1", WD_STYLE_TYPE.PARAGRAPH)
        custom = document.styles.add_style("Đề mục của xã", WD_STYLE_TYPE.PARAGRAPH)
        custom.base_style = document.styles["Heading 2"]
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    document.save(path)
    return path


def tree(sections) -> list:
    """(id, heading, [children]) for compact assertions."""
    return [(s.id, s.heading, tree(s.sections)) if s.sections else (s.id, s.heading)
            for s in sections]


def node_tree(nodes) -> list:
    return [(n.id, n.heading, node_tree(n.children)) if n.children else (n.id, n.heading)
            for n in nodes]


def parse(tmp_path: Path, paragraphs: list[Para], **options) -> di.Outline:
    return di.outline(di.read_blocks(make_docx(tmp_path / "d.docx", paragraphs, **options)))


@pytest.fixture
def pack_dir(tmp_path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(MINI_PACK, target)
    return target


def import_draft(pack_dir: Path, file: Path, *extra: str, draft_id: str = "bao-cao-moi"):
    return run(["drafts", "import", str(file), "--id", draft_id, "--title",
                "Dự thảo Báo cáo chính trị", "--pack", str(pack_dir), *extra],
               env={"LOASO_CONTENT_DIR": str(pack_dir)})


# -- recognising the structure ----------------------------------------------------------------

NUMBERED: list[Para] = [
    ("ĐẢNG BỘ XÃ THỬ NGHIỆM", None),
    ("Dự thảo trình Đại hội.", None),
    ("PHẦN THỨ NHẤT", None),
    ("ĐÁNH GIÁ KẾT QUẢ NHIỆM KỲ", None),  # the part's name on its own line
    ("Nhiệm kỳ qua có nhiều kết quả.", None),
    ("Chương I. Kinh tế", None),
    ("Kinh tế tăng trưởng khá.", None),
    ("Điều 1. Nông nghiệp", None),
    ("Nông nghiệp phát triển.", None),
    ("Điều 5 Luật Đất đai được thực hiện nghiêm.", None),  # a sentence, not a heading
    ("Mục tiêu chung là phát triển bền vững.", None),  # "Mục tiêu" is not "Mục 1"
    ("dieu 2: Cong nghiep", None),  # typed without diacritics
    ("Công nghiệp tăng.", None),
    ("Chương 2 - Xã hội", None),
    ("Xã hội ổn định.", None),
    ("Phần II", None),
    ("PHƯƠNG HƯỚNG NHIỆM KỲ TỚI", None),
    ("Mục 1. Mục tiêu", None),
    ("Phát triển toàn diện.", None),
    ("MỤC 2. NHIỆM VỤ", None),
    ("Bốn nhiệm vụ trọng tâm.", None),
    ("KẾT LUẬN", None),
    ("Đảng bộ quyết tâm.", None),
]


def test_numbering_only_gives_a_tree_of_parts_chapters_and_articles(tmp_path):
    found = parse(tmp_path, NUMBERED)
    assert node_tree(found.sections) == [
        ("phan-1", "Phần thứ nhất. ĐÁNH GIÁ KẾT QUẢ NHIỆM KỲ", [
            ("phan-1-chuong-1", "Chương I. Kinh tế", [
                ("dieu-1", "Điều 1. Nông nghiệp"),
                ("dieu-2", "Điều 2. Cong nghiep"),
            ]),
            ("phan-1-chuong-2", "Chương 2. Xã hội"),
        ]),
        ("phan-2", "Phần II. PHƯƠNG HƯỚNG NHIỆM KỲ TỚI", [
            ("phan-2-muc-1", "Mục 1. Mục tiêu"),
            ("phan-2-muc-2", "Mục 2. NHIỆM VỤ"),
        ]),
        ("phan-ket-luan", "Phần kết luận"),
    ]
    assert found.summary == "ĐẢNG BỘ XÃ THỬ NGHIỆM\n\nDự thảo trình Đại hội."
    article = found.sections[0].children[0].children[0]
    assert article.text == ("Nông nghiệp phát triển.\n\nĐiều 5 Luật Đất đai được thực hiện "
                            "nghiêm.\n\nMục tiêu chung là phát triển bền vững.")
    assert found.counts() == {"Phần": 3, "Chương": 2, "Mục": 2, "Điều": 2}


def test_heading_styles_with_enumerators_and_localised_style_names(tmp_path):
    found = parse(tmp_path, [
        ("Lời nói đầu của dự thảo.", None),
        ("I. TÌNH HÌNH CHUNG", "Heading 1"),
        ("Tình hình ổn định.", None),
        ("1. Kinh tế", "Heading 2"),
        ("Kinh tế khá.", None),
        ("a) Nông nghiệp", "Heading 3"),
        ("Lúa đạt năng suất cao.", None),
        ("Chi tiết nhỏ", "Heading 4"),  # deeper than three levels: body text
        ("2. Văn hóa", "Đề mục của xã"),  # a custom style built on Heading 2
        ("Văn hóa phát triển.", None),
        ("II. PHƯƠNG HƯỚNG", "Tiêu đề 1"),  # a style named in Vietnamese
        ("Phương hướng rõ ràng.", None),
        ("Tổ chức thực hiện", "Heading 1"),  # no number: numbered by position
        ("Các chi bộ thực hiện.", None),
    ], vietnamese_styles=True)
    assert node_tree(found.sections) == [
        ("muc-1", "Mục I. TÌNH HÌNH CHUNG", [
            ("muc-1-muc-1", "Mục 1. Kinh tế", [("muc-1-muc-1-muc-a", "Mục a. Nông nghiệp")]),
            ("muc-1-muc-2", "Mục 2. Văn hóa"),
        ]),
        ("muc-2", "Mục II. PHƯƠNG HƯỚNG"),
        ("muc-3", "Mục 3. Tổ chức thực hiện"),
    ]
    assert found.summary == "Lời nói đầu của dự thảo."
    deep = found.sections[0].children[0].children[0]
    assert deep.text == "Lúa đạt năng suất cao.\n\nChi tiết nhỏ"


def test_mixed_styles_and_numbering_nest_by_kind(tmp_path):
    found = parse(tmp_path, [
        ("MỞ ĐẦU", "Heading 1"),
        ("Văn kiện gồm hai chương.", None),
        ("Chương I", "Heading 1"),
        ("Quy định chung", "Heading 1"),  # the chapter's name, same style, next line
        ("Điều 1. Phạm vi", None),  # typed as plain text under a styled chapter
        ("Quy chế này quy định việc góp ý.", None),
        ("Điều 2. Đối tượng", None),
        ("Cán bộ, đảng viên và nhân dân.", None),
        ("Chương II. Tổ chức thực hiện", "Heading 1"),
        ("Mục 1. Trách nhiệm", None),
        ("Điều 3. Chi bộ", None),
        ("Chi bộ tổ chức hội nghị.", None),
        ("Điều 1. Hiệu lực", None),  # a repeated number still gets its own id
        ("Có hiệu lực từ ngày ký.", None),
    ])
    assert node_tree(found.sections) == [
        ("phan-mo-dau", "Phần mở đầu"),
        ("chuong-1", "Chương I. Quy định chung", [
            ("dieu-1", "Điều 1. Phạm vi"),
            ("dieu-2", "Điều 2. Đối tượng"),
        ]),
        ("chuong-2", "Chương II. Tổ chức thực hiện", [
            ("chuong-2-muc-1", "Mục 1. Trách nhiệm", [
                ("dieu-3", "Điều 3. Chi bộ"),
                ("dieu-1-2", "Điều 1. Hiệu lực"),
            ]),
        ]),
    ]


def test_ids_stay_valid_unique_and_within_forty_characters(tmp_path):
    paragraphs: list[Para] = []
    for part in range(1, 4):
        paragraphs += [(f"Phần {part}", "Heading 1"), ("Nội dung.", None)]
        for chapter in range(1, 3):
            paragraphs += [(f"Chương {chapter}", "Heading 2"), ("Nội dung.", None)]
            paragraphs += [(f"Mục {123456789}", "Heading 3"), ("Nội dung.", None)] * 2
    found = parse(tmp_path, paragraphs)
    ids = [node.id for _, node in found.walk()]
    assert len(ids) == len(set(ids)) == 3 + 6 + 12
    assert all(di.valid_id(node_id) for node_id in ids)
    assert "phan-1-chuong-1-muc-123456789" in ids and "phan-1-chuong-1-muc-123456789-2" in ids


@pytest.mark.parametrize("text", [
    "Mục tiêu của nhiệm kỳ", "Chương trình hành động", "Phần lớn hộ dân", "Phần việc còn lại",
    "Điều 5 của Luật Đất đai", "Mục lục", "Điều chỉnh quy hoạch",
])
def test_sentences_that_start_like_headings_are_body_text(text):
    assert di._candidate(di.Block(text)) is None


def test_a_document_without_structure_is_refused(tmp_path):
    with pytest.raises(di.DraftImportError, match="Không nhận ra cấu trúc Phần/Chương/Mục/Điều"):
        parse(tmp_path, [("Một văn bản chỉ có đoạn văn.", None), ("Không có đề mục.", None)])


# -- the command ------------------------------------------------------------------------------

def test_import_writes_a_draft_the_pack_loads(tmp_path, pack_dir):
    nfd = [(unicodedata.normalize("NFD", text), style) for text, style in NUMBERED]
    source = make_docx(tmp_path / "Dự thảo báo cáo.docx", nfd)
    result = import_draft(pack_dir, source, "--level", "thanh pho", "--version", "2",
                          "--opens", "2025-09-01 07:00", "--closes", "2025-10-15 17:00")
    assert result.returncode == 0, result.stderr
    assert "Đã đọc Dự thảo báo cáo.docx: 3 phần, 2 chương, 2 mục, 2 điều" in result.stdout
    assert "  - Chương I. Kinh tế  [phan-1-chuong-1, 1 đoạn]" in result.stdout
    written = pack_dir / "drafts" / "bao-cao-moi.yaml"
    text = written.read_text(encoding="utf-8")
    assert text == unicodedata.normalize("NFC", text) and "ĐÁNH GIÁ" in text
    pack, report = load_pack(pack_dir)
    assert pack is not None, report.render()
    draft = pack.drafts["bao-cao-moi"]
    assert (draft.title, draft.level, draft.version) == ("Dự thảo Báo cáo chính trị",
                                                         "thành phố", "2")
    assert (f"{draft.opens:%Y-%m-%d %H:%M}", f"{draft.closes:%Y-%m-%d %H:%M}") == (
        "2025-09-01 07:00", "2025-10-15 17:00")
    assert draft.summary == "ĐẢNG BỘ XÃ THỬ NGHIỆM\n\nDự thảo trình Đại hội."
    assert [flat.section.id for flat in flatten(draft.sections)] == [
        "phan-1", "phan-1-chuong-1", "dieu-1", "dieu-2", "phan-1-chuong-2", "phan-2",
        "phan-2-muc-1", "phan-2-muc-2", "phan-ket-luan"]
    assert pack.section("bao-cao-moi", "dieu-1").label == (
        "Phần thứ nhất. ĐÁNH GIÁ KẾT QUẢ NHIỆM KỲ › Chương I. Kinh tế › Điều 1. Nông nghiệp")
    assert tree(draft.sections)[1] == ("phan-2", "Phần II. PHƯƠNG HƯỚNG NHIỆM KỲ TỚI", [
        ("phan-2-muc-1", "Mục 1. Mục tiêu"), ("phan-2-muc-2", "Mục 2. NHIỆM VỤ")])


def test_defaults_come_from_the_pack_and_a_heading_without_text_is_noted(tmp_path, pack_dir):
    source = make_docx(tmp_path / "d.docx", [("Điều 1. Phạm vi", None), ("Nội dung.", None),
                                             ("Điều 2. Bãi bỏ", None)])
    result = import_draft(pack_dir, source)
    assert result.returncode == 0, result.stderr
    assert "Cảnh báo: “Điều 2. Bãi bỏ” không có nội dung chữ" in result.stdout
    pack, _ = load_pack(pack_dir)
    draft = pack.drafts["bao-cao-moi"]
    assert draft.level == "xã" and draft.version == "1"  # the pack's level
    assert (draft.closes.date() - draft.opens.date()).days == 30
    assert draft.sections[1].text == di.EMPTY_SECTION_TEXT


def test_an_existing_draft_is_kept_without_force_and_replaced_with_it(tmp_path, pack_dir):
    first = make_docx(tmp_path / "a.docx", [("Điều 1. Cũ", None), ("Bản cũ.", None)])
    second = make_docx(tmp_path / "b.docx", [("Điều 1. Mới", None), ("Bản mới.", None)])
    assert import_draft(pack_dir, first).returncode == 0
    written = pack_dir / "drafts" / "bao-cao-moi.yaml"
    before = written.read_text(encoding="utf-8")
    refused = import_draft(pack_dir, second)
    assert refused.returncode != 0 and "--force" in refused.stderr
    assert written.read_text(encoding="utf-8") == before
    replaced = import_draft(pack_dir, second, "--force")
    assert replaced.returncode == 0, replaced.stderr
    assert "Bản mới." in written.read_text(encoding="utf-8")


@pytest.mark.parametrize("make, draft_id, args, message", [
    (None, "moi", [], "Không tìm thấy tệp"),
    ("text", "moi", [], "không phải tệp Word .docx hợp lệ"),
    ("doc", "moi", [], "định dạng Word cũ (.doc)"),
    ("plain", "moi", [], "Không nhận ra cấu trúc Phần/Chương/Mục/Điều hay kiểu Heading"),
    ("good", "Bao_Cao", [], "Mã dự thảo không hợp lệ"),
    ("good", "a" * 41, [], "Mã dự thảo không hợp lệ"),
    ("good", "bao-cao", [], "Đã có tệp"),  # the mini pack's own draft
    ("good", "moi", ["--opens", "2025-02-30 07:00"], "Thời điểm --opens không hợp lệ"),
    ("good", "moi", ["--closes", "mai"], "Thời điểm --closes không hợp lệ"),
    ("good", "moi", ["--opens", "2025-10-01 08:00", "--closes", "2025-10-01 07:00"],
     "phải sau lúc bắt đầu"),
    ("good", "moi", ["--level", "huyện"], "Cấp không hợp lệ"),
])
def test_bad_input_is_refused_clearly_and_writes_nothing(tmp_path, pack_dir, make, draft_id,
                                                         args, message):
    before = {path.name: path.read_bytes() for path in (pack_dir / "drafts").iterdir()}
    source = tmp_path / ("d.doc" if make == "doc" else "d.docx")
    if make in ("text", "doc"):  # a text file given a Word name
        source.write_text("Đây là văn bản thường, đổi đuôi thành Word.", encoding="utf-8")
    elif make == "plain":
        make_docx(source, [("Chỉ có đoạn văn.", None)])
    elif make == "good":
        make_docx(source, [("Điều 1. Phạm vi", None), ("Nội dung.", None)])
    result = import_draft(pack_dir, source, *args, draft_id=draft_id)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert {path.name: path.read_bytes() for path in (pack_dir / "drafts").iterdir()} == before


def test_an_invalid_pack_is_refused_before_anything_is_written(tmp_path, pack_dir):
    (pack_dir / "faq.yaml").write_text("- id: [", encoding="utf-8")
    source = make_docx(tmp_path / "d.docx", [("Điều 1. Phạm vi", None), ("Nội dung.", None)])
    result = import_draft(pack_dir, source)
    assert result.returncode != 0 and "faq.yaml:1" in result.stderr
    assert not (pack_dir / "drafts" / "bao-cao-moi.yaml").exists()


def test_save_draft_puts_back_what_was_there_when_the_pack_stops_loading(pack_dir):
    bad = ("id: bao-cao\ntitle: Trùng mục\nlevel: xã\nversion: '1'\nopens: 2025-01-01 00:00\n"
           "closes: 2025-12-31 00:00\nsections:\n  - {id: a, text: x}\n  - {id: a, text: y}\n")
    saved = di.save_draft(pack_dir, "moi", bad.replace("id: bao-cao", "id: moi"), force=False)
    assert not saved.ok and "mã mục 'a' bị trùng" in saved.report.render()
    assert not (pack_dir / "drafts" / "moi.yaml").exists()
    original = (pack_dir / "drafts" / "bao-cao.yaml").read_bytes()
    saved = di.save_draft(pack_dir, "bao-cao", bad, force=True)
    assert not saved.ok
    assert (pack_dir / "drafts" / "bao-cao.yaml").read_bytes() == original
    assert sorted(path.name for path in (pack_dir / "drafts").iterdir()) == [
        "bao-cao.yaml", "da-dong.yaml"]  # no temporary file left behind
    with pytest.raises(di.DraftImportError, match="--force"):
        di.save_draft(pack_dir, "bao-cao", bad, force=False)


def test_a_pack_without_a_drafts_folder_gets_one(tmp_path, pack_dir):
    shutil.rmtree(pack_dir / "drafts")
    source = make_docx(tmp_path / "d.docx", [("Điều 1. Phạm vi", None), ("Nội dung.", None)])
    result = import_draft(pack_dir, source)
    assert result.returncode == 0, result.stderr
    assert [path.name for path in (pack_dir / "drafts").iterdir()] == ["bao-cao-moi.yaml"]


def test_tracked_changes_and_content_controls_read_as_word_shows_them(tmp_path):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    path = make_docx(tmp_path / "d.docx", [("Điều 1. Phạm vi", None), ("Giữ nguyên.", None)])
    document = docx.Document(path)
    body = document.element.body
    changed = document.paragraphs[1]._p
    changed.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="A" '
                             'w:date="2025-09-01T00:00:00Z"><w:r><w:t xml:space="preserve"> '
                             'Thêm mới.</w:t></w:r></w:ins>'))
    changed.append(parse_xml(f'<w:del {nsdecls("w")} w:id="2" w:author="A" '
                             'w:date="2025-09-01T00:00:00Z"><w:r><w:delText>Đã xóa.</w:delText>'
                             '</w:r></w:del>'))
    body.insert(len(body) - 1, parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtContent><w:p><w:r><w:t>Điều 2. Trong ô nội dung</w:t>'
        '</w:r></w:p><w:p><w:r><w:t>Văn bản trong điều khiển nội dung.</w:t></w:r></w:p>'
        '</w:sdtContent></w:sdt>'))
    document.save(path)
    word = di.read_document(path)
    assert word.tracked_changes
    found = di.outline(word.blocks)
    assert [(node.id, node.text) for node in found.sections] == [
        ("dieu-1", "Giữ nguyên. Thêm mới."),
        ("dieu-2", "Văn bản trong điều khiển nội dung."),
    ]
