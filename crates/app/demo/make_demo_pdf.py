#!/usr/bin/env python3
"""Generate the Vanthu demo incoming document (DEV ONLY).

Produces ke-hoach-cai-cach-hanh-chinh-2024.pdf next to this script: a small,
Decree 30/2020/ND-CP style "KẾ HOẠCH Cải cách hành chính năm 2024" of a ward
People's Committee. The text is invented demo content,
not a copy of any real legal document.

Requirements: Python 3, reportlab (pip install reportlab), and the Debian
DejaVu fonts (package fonts-dejavu-core). reportlab's invariant mode is on, so
the output is byte-for-byte reproducible for a given reportlab version.

Usage:
    python3 make_demo_pdf.py [OUTPUT.pdf]
"""

import os
import sys
import unicodedata

from reportlab import rl_config

rl_config.invariant = 1  # deterministic IDs/dates => reproducible bytes

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
REGULAR = "DejaVuSerif"
BOLD = "DejaVuSerif-Bold"

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "ke-hoach-cai-cach-hanh-chinh-2024.pdf")

DEMO_FOOTER = "Tài liệu mẫu cho môi trường thử nghiệm Vanthu (DEV ONLY)"

# Page geometry (Decree 30: A4, body 13-14 pt, margins 20-30 mm).
LEFT_MARGIN = 30 * mm
RIGHT_MARGIN = 20 * mm
TOP_MARGIN = 20 * mm
BOTTOM_MARGIN = 22 * mm
BODY_SIZE = 13
HEADER_OVERHANG = 7 * mm


def nfc(text):
    return unicodedata.normalize("NFC", text)


def register_fonts():
    pdfmetrics.registerFont(TTFont(REGULAR, os.path.join(FONT_DIR, "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, os.path.join(FONT_DIR, "DejaVuSerif-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )


class CenteredRule(Flowable):
    """A short horizontal line centred in the available width."""

    def __init__(self, length, gap_before=5, gap_after=3, thickness=0.6):
        super().__init__()
        self.length = length
        self.gap_before = gap_before
        self.gap_after = gap_after
        self.thickness = thickness

    def wrap(self, avail_width, avail_height):
        self._avail = avail_width
        return avail_width, self.gap_before + self.gap_after

    def draw(self):
        x0 = (self._avail - self.length) / 2.0
        y = self.gap_after
        self.canv.setLineWidth(self.thickness)
        self.canv.line(x0, y, x0 + self.length, y)


def styles():
    base = dict(fontName=REGULAR, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.2)
    return {
        "hdr": ParagraphStyle("hdr", alignment=TA_CENTER, **dict(base, fontSize=11, leading=14)),
        "hdr_b": ParagraphStyle(
            "hdr_b", alignment=TA_CENTER, **dict(base, fontName=BOLD, fontSize=11, leading=14)
        ),
        "motto": ParagraphStyle(
            "motto", alignment=TA_CENTER, **dict(base, fontName=BOLD, fontSize=12, leading=15)
        ),
        "hdr_plain": ParagraphStyle(
            "hdr_plain", alignment=TA_CENTER, **dict(base, fontSize=12, leading=15)
        ),
        "title": ParagraphStyle(
            "title", alignment=TA_CENTER, **dict(base, fontName=BOLD, fontSize=14, leading=18)
        ),
        "subtitle": ParagraphStyle(
            "subtitle", alignment=TA_CENTER, **dict(base, fontName=BOLD, leading=17)
        ),
        "body": ParagraphStyle(
            "body", alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceBefore=2, **base
        ),
        "section": ParagraphStyle(
            "section",
            alignment=TA_LEFT,
            firstLineIndent=10 * mm,
            spaceBefore=5,
            spaceAfter=0,
            keepWithNext=1,
            **dict(base, fontName=BOLD),
        ),
        "sub": ParagraphStyle(
            "sub",
            alignment=TA_JUSTIFY,
            firstLineIndent=10 * mm,
            spaceBefore=3,
            keepWithNext=1,
            **dict(base, fontName=BOLD),
        ),
        "recip_h": ParagraphStyle(
            "recip_h", alignment=TA_LEFT, **dict(base, fontName=BOLD, fontSize=12, leading=15)
        ),
        "recip": ParagraphStyle("recip", alignment=TA_LEFT, **dict(base, fontSize=11, leading=13.5)),
        "sign": ParagraphStyle(
            "sign", alignment=TA_CENTER, **dict(base, fontName=BOLD, fontSize=13, leading=17)
        ),
    }


# ---------------------------------------------------------------------------
# Document text (invented demo content).
# ---------------------------------------------------------------------------

PURPOSE = [
    "Triển khai thực hiện đồng bộ, hiệu quả Chương trình tổng thể cải cách hành chính "
    "nhà nước giai đoạn 2021 - 2030 và kế hoạch cải cách hành chính của Ủy ban nhân dân "
    "thành phố năm 2024 trên địa bàn phường.",
    "Nâng cao chất lượng phục vụ người dân, doanh nghiệp; đẩy mạnh xây dựng chính quyền "
    "điện tử, chính quyền số; tăng cường kỷ luật, kỷ cương hành chính và trách nhiệm "
    "người đứng đầu trong thực thi công vụ.",
]

REQUIREMENTS = [
    "Xác định rõ nội dung, tiến độ, thời hạn hoàn thành và trách nhiệm của từng bộ phận, "
    "cán bộ, công chức; bảo đảm tính khả thi, gắn với nhiệm vụ phát triển kinh tế - xã hội "
    "của địa phương.",
    "Kết quả thực hiện kế hoạch là một trong những tiêu chí đánh giá, xếp loại, thi đua "
    "khen thưởng đối với tập thể, cá nhân trong năm 2024.",
]

TASKS_TTHC = [
    "100% thủ tục hành chính thuộc thẩm quyền giải quyết của phường được công khai đầy đủ, "
    "kịp thời trên Cổng dịch vụ công và tại Bộ phận Một cửa.",
    "Thực hiện số hóa và lưu trữ điện tử hồ sơ, kết quả giải quyết thủ tục hành chính; "
    "100% hồ sơ tiếp nhận mới được số hóa ngay khi tiếp nhận.",
    "100% thanh toán không dùng tiền mặt đối với hồ sơ có phí, lệ phí khi người dân "
    "có yêu cầu.",
    "Tỷ lệ hài lòng của người dân, doanh nghiệp đối với việc giải quyết thủ tục hành chính "
    "đạt trên 99%.",
]

TASKS_EGOV = [
    "100% văn bản đi của Ủy ban nhân dân phường được ký số (trừ văn bản mật).",
    "100% văn bản trao đổi giữa các cơ quan, đơn vị được thực hiện dưới dạng điện tử "
    "qua hệ thống quản lý văn bản và điều hành.",
    "Trên 90% hồ sơ công việc được xử lý trên môi trường mạng.",
    "Duy trì, cập nhật thường xuyên Trang thông tin điện tử của phường; bảo đảm an toàn "
    "thông tin theo cấp độ.",
]

TASKS_ORG = [
    "Rà soát, sắp xếp, kiện toàn vị trí việc làm của cán bộ, công chức phường; thực hiện "
    "nghiêm quy chế văn hóa công sở và quy tắc ứng xử.",
    "Bồi dưỡng kỹ năng sử dụng chữ ký số, phần mềm quản lý văn bản cho 100% cán bộ, "
    "công chức trong quý I năm 2024.",
]

ORG_IMPL = [
    ("Văn phòng HĐND và UBND phường", "chủ trì, tham mưu triển khai kế hoạch; theo dõi, "
     "đôn đốc, tổng hợp và báo cáo kết quả thực hiện định kỳ hằng quý (trước ngày 15 của "
     "tháng cuối quý) và báo cáo năm về Ủy ban nhân dân thành phố."),
    ("Công chức chuyên môn thuộc UBND phường", "căn cứ nhiệm vụ được giao, chủ động xây "
     "dựng lịch trình thực hiện; kịp thời đề xuất giải pháp tháo gỡ khó khăn, vướng mắc."),
    ("Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam phường và các đoàn thể", "phối hợp tuyên "
     "truyền, vận động nhân dân sử dụng dịch vụ công trực tuyến và giám sát việc thực hiện "
     "kế hoạch."),
]

CLOSING = (
    "Trên đây là Kế hoạch cải cách hành chính năm 2024 của Ủy ban nhân dân phường Ngô "
    "Quyền. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các bộ phận, cá nhân "
    "kịp thời báo cáo về Ủy ban nhân dân phường (qua Văn phòng HĐND và UBND) để xem xét, "
    "giải quyết./."
)

RECIPIENTS = [
    "- UBND thành phố (b/c);",
    "- Phòng Nội vụ thành phố (b/c);",
    "- TT Đảng ủy, TT HĐND phường;",
    "- Chủ tịch, các PCT UBND phường;",
    "- UBMTTQ và các đoàn thể phường;",
    "- Công chức chuyên môn phường;",
    "- Lưu: VT.",
]


def P(text, style):
    return Paragraph(nfc(text), style)


def build_story(st, frame_width):
    story = []

    # --- Header block (tên cơ quan / Quốc hiệu, tiêu ngữ) ---------------------
    # DejaVu Serif is wider than Times New Roman, so (as in many real documents)
    # the two-column header is a little wider than the body text and overhangs
    # both margins by HEADER_OVERHANG.
    header_w = frame_width + 2 * HEADER_OVERHANG
    left_w = 66 * mm
    right_w = header_w - left_w
    left = [
        P("UBND THÀNH PHỐ BẮC GIANG", st["hdr"]),
        P("ỦY BAN NHÂN DÂN", st["hdr_b"]),
        P("PHƯỜNG NGÔ QUYỀN", st["hdr_b"]),
        CenteredRule(26 * mm, gap_before=5, gap_after=8),
        P("Số: 06/KH-UBND", st["hdr_plain"]),
    ]
    right = [
        P("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st["hdr_b"]),
        P("Độc lập - Tự do - Hạnh phúc", st["motto"]),
        CenteredRule(60 * mm, gap_before=5, gap_after=8),
        P("", st["hdr"]),
        P("Phường Ngô Quyền, ngày 10 tháng 01 năm 2024", st["hdr_plain"]),
    ]
    header = Table([[left, right]], colWidths=[left_w, right_w], hAlign="CENTER")
    header.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [header, Spacer(1, 9 * mm)]

    # --- Title -------------------------------------------------------------------
    story += [
        P("KẾ HOẠCH", st["title"]),
        P("Cải cách hành chính năm 2024", st["subtitle"]),
        CenteredRule(35 * mm, gap_before=5, gap_after=8),
        Spacer(1, 2 * mm),
        P(
            "Thực hiện chỉ đạo của Ủy ban nhân dân thành phố về công tác cải cách hành "
            "chính năm 2024, Ủy ban nhân dân phường Ngô Quyền ban hành Kế hoạch cải cách "
            "hành chính năm 2024 như sau:",
            st["body"],
        ),
    ]

    # --- I. Mục đích, yêu cầu ---------------------------------------------------
    story.append(P("I. MỤC ĐÍCH, YÊU CẦU", st["section"]))
    story.append(P("1. Mục đích", st["sub"]))
    story += [P("- " + t, st["body"]) for t in PURPOSE]
    story.append(P("2. Yêu cầu", st["sub"]))
    story += [P("- " + t, st["body"]) for t in REQUIREMENTS]

    # --- II. Nhiệm vụ và chỉ tiêu -------------------------------------------------
    story.append(P("II. NHIỆM VỤ VÀ CHỈ TIÊU", st["section"]))
    story.append(P("1. Cải cách thủ tục hành chính", st["sub"]))
    story += [P("- " + t, st["body"]) for t in TASKS_TTHC]
    story.append(P("2. Xây dựng chính quyền điện tử, chính quyền số", st["sub"]))
    story += [P("- " + t, st["body"]) for t in TASKS_EGOV]
    story.append(P("3. Cải cách tổ chức bộ máy và chế độ công vụ", st["sub"]))
    story += [P("- " + t, st["body"]) for t in TASKS_ORG]

    # --- III. Tổ chức thực hiện ------------------------------------------------------
    story.append(P("III. TỔ CHỨC THỰC HIỆN", st["section"]))
    for i, (who, what) in enumerate(ORG_IMPL, start=1):
        story.append(P("%d. <b>%s</b>: %s" % (i, who, what), st["body"]))
    story.append(P(CLOSING, st["body"]))
    story.append(Spacer(1, 5 * mm))

    # --- Nơi nhận + chữ ký ---------------------------------------------------------
    recipients = [P("Nơi nhận:", st["recip_h"])] + [P(r, st["recip"]) for r in RECIPIENTS]
    signature = [
        P("TM. ỦY BAN NHÂN DÂN", st["sign"]),
        P("CHỦ TỊCH", st["sign"]),
        Spacer(1, 22 * mm),
        P("Nguyễn Văn An", st["sign"]),
    ]
    sig_table = Table(
        [[recipients, signature]], colWidths=[frame_width * 0.48, frame_width * 0.52]
    )
    sig_table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story.append(KeepTogether([sig_table]))
    return story


def draw_page_decorations(canvas, doc):
    canvas.saveState()
    width, _height = A4
    # Page number (Decree 30: from page 2, centred at the top).
    if doc.page > 1:
        canvas.setFont(REGULAR, 12)
        canvas.drawCentredString(width / 2.0, A4[1] - 12 * mm, str(doc.page))
    # Demo-data marker on every page.
    y = 12 * mm
    canvas.setLineWidth(0.4)
    canvas.line(LEFT_MARGIN, y + 10, width - RIGHT_MARGIN, y + 10)
    canvas.setFont(REGULAR, 8.5)
    canvas.drawCentredString(
        (LEFT_MARGIN + width - RIGHT_MARGIN) / 2.0, y, nfc(DEMO_FOOTER)
    )
    canvas.restoreState()


def main(argv):
    out = argv[1] if len(argv) > 1 else DEFAULT_OUT
    register_fonts()
    st = styles()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=nfc("Kế hoạch cải cách hành chính năm 2024 (tài liệu mẫu)"),
        author=nfc("Ủy ban nhân dân phường Ngô Quyền (dữ liệu mẫu Vanthu)"),
        subject=nfc("Số 06/KH-UBND - " + DEMO_FOOTER),
        keywords=nfc("Vanthu, demo, cải cách hành chính, DEV ONLY"),
        creator="Vanthu crates/app/demo/make_demo_pdf.py",
        lang="vi-VN",
    )
    story = build_story(st, doc.width)
    doc.build(story, onFirstPage=draw_page_decorations, onLaterPages=draw_page_decorations)
    print("wrote %s (%d bytes)" % (out, os.path.getsize(out)))


if __name__ == "__main__":
    main(sys.argv)
