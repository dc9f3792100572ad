"""The bulletin 《绩效管理工作运行情况通报》 as a Word document (python-docx).

Offices circulate a 通报 as a Word/WPS file, so this writes one as an office
lays it out (after GB/T 9704): the issuing office and the document number
(文号) at the head, the title, the body in 仿宋 with 黑体 headings, the ranking
table with a bar chart of the section scores (``bulletin_chart``), the
deduction, supervision and problem tables, and the office and date at the foot.  The look comes from the
template's styles: the default template shipped in ``templates/bulletin.docx``
(made by ``default_template``, a test keeps the two equal) or the office's own
``--template FILE``; this module only fills in paragraphs with style names.

The same inputs give the same bytes: the core properties carry fixed dates
and the archive goes through ``files.fixed_zip``; the date printed defaults to
the period's last day, never to today.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from importlib import resources
from typing import cast

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle

from dsl.messages import render_message
from runtime.render.bulletin_chart import score_chart
from runtime.render.files import OutputError, fixed_zip
from runtime.tools.bulletin import Bulletin

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
_FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

# Style names the renderer uses; a template without one falls back to Normal.
TITLE, OFFICE, NUMBER, HEADING, TABLE, SIGNATURE = (
    "Bulletin Title",
    "Bulletin Office",
    "Bulletin Number",
    "Heading 1",
    "Bulletin Table",
    "Bulletin Signature",
)


@dataclass(frozen=True)
class Heading:
    """What heads and closes the document: issuing office, 文号 and date."""

    office: str
    number: str
    date: dt.date


def default_office(scheme: str) -> str:
    """The issuing office when ``--office`` is not given: the scheme's office
    (永州市地方税务局机关绩效管理 -> …绩效管理办公室)."""
    return f"{scheme}办公室" if scheme.endswith("管理") else scheme


def default_number(year: int) -> str:
    """A 文号 left for the office to fill in (〔2016〕 号) when ``--number`` is not given."""
    return f"〔{year}〕　号"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _fonts(style: ParagraphStyle, east_asia: str, size: float, bold: bool = False) -> None:
    """Latin and East Asian fonts of a style: ``font.name`` sets only the Latin
    ones, so ``w:eastAsia`` is written on the style's ``w:rFonts`` too."""
    font = style.font
    font.name = LATIN_FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _paragraph_style(document: Document, name: str) -> ParagraphStyle:
    """The paragraph style ``name``, added (based on Normal) when missing."""
    styles = document.styles
    if name not in [s.name for s in styles]:
        added = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        added.base_style = styles["Normal"]
    return cast(ParagraphStyle, styles[name])


def default_template() -> bytes:
    """The default template: A4 with official margins (top 37, bottom 35, left
    28, right 26 mm), 仿宋 16 pt body (三号), 黑体 headings, 宋体 22 pt title (二号)."""
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = _paragraph_style(document, "Normal")
    _fonts(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.first_line_indent = Pt(32)
    normal.paragraph_format.space_after = Pt(0)
    heading = _paragraph_style(document, HEADING)
    _fonts(heading, HEADING_FONT, 16)
    heading.paragraph_format.space_before = Pt(6)
    heading.paragraph_format.space_after = Pt(0)
    heading.paragraph_format.first_line_indent = Pt(32)
    for name, font, size, bold in (
        (TITLE, TITLE_FONT, 22, True),
        (OFFICE, TITLE_FONT, 26, True),
        (NUMBER, BODY_FONT, 16, False),
        (TABLE, BODY_FONT, 12, False),
        (SIGNATURE, BODY_FONT, 16, False),
    ):
        style = _paragraph_style(document, name)
        _fonts(style, font, size, bold)
        fmt = style.paragraph_format
        fmt.first_line_indent = Pt(0)
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if name == TABLE:
            fmt.line_spacing = Pt(18)
        if name == SIGNATURE:
            fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt.right_indent = Pt(64)
        if name == TITLE:
            fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(24), Pt(24), Pt(36)
    _paragraph_style(document, OFFICE).font.color.rgb = RGBColor(0xC0, 0, 0)
    _paragraph_style(document, NUMBER).paragraph_format.space_after = Pt(12)
    return _saved(document, "绩效管理工作运行情况通报", "")


def _saved(document: Document, title: str, author: str) -> bytes:
    core = document.core_properties
    core.created = core.modified = _FIXED_TIME
    core.last_printed = _FIXED_TIME
    core.title, core.author, core.last_modified_by = title, author, "jixiao"
    core.revision = 1
    core.comments = core.subject = core.keywords = core.category = ""
    buffer = io.BytesIO()
    document.save(buffer)
    return fixed_zip(buffer.getvalue())


def _template(path: str | None, lang: str) -> Document:
    if path is None:
        data = resources.files("runtime.render").joinpath("templates/bulletin.docx").read_bytes()
        return docx.Document(io.BytesIO(data))
    try:
        return docx.Document(path)
    except Exception as error:  # python-docx raises several kinds for a file that is not .docx
        problem = str(error) or type(error).__name__
        message = render_message("E0918", lang, {"path": path, "problem": problem})
        raise OutputError(f"--template {path}: error[E0918]: {message}") from None


def _clear(document: Document) -> None:
    """The template's body emptied; its section (page size, margins) kept."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _style(document: Document, name: str) -> str:
    return name if name in [s.name for s in document.styles] else "Normal"


def _table(document: Document, heads: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(heads))
    if "Table Grid" in [s.name for s in document.styles]:
        table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    style = _style(document, TABLE)
    header = table.rows[0]
    marker = OxmlElement("w:tblHeader")  # the header row repeats on every page
    marker.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(marker)
    for cell, text in zip(header.cells, heads, strict=True):
        cell.text = ""
        cell.paragraphs[0].style = document.styles[style]
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.paragraphs[0].style = document.styles[style]
            cell.paragraphs[0].add_run(text)


def _chart(document: Document, bulletin: Bulletin) -> None:
    """The bar chart of section scores in rank order, as wide as the text."""
    if not bulletin.ranking:
        return
    png = score_chart(
        [name for _, name, _, _ in bulletin.ranking],
        [total for _, _, total, _ in bulletin.ranking],
        bulletin.section_average,
        "各科室得分",
        "平均",
    )
    paragraph = document.add_paragraph(style=_style(document, TABLE))
    section = document.sections[-1]
    width = (
        (section.page_width or Mm(210)) - (section.left_margin or 0) - (section.right_margin or 0)
    )
    paragraph.add_run().add_picture(io.BytesIO(png), width=width)


def _names(items: list[str]) -> str:
    return "、".join(items) if items else "无"


def render_docx(bulletin: Bulletin, heading: Heading, template: str | None, lang: str) -> bytes:
    """The bulletin as .docx bytes, laid out with ``template``'s styles."""
    b = bulletin
    document = _template(template, lang)
    _clear(document)
    period = b.period_text or b.period
    title = f"绩效管理工作运行情况通报（{period}）"

    def para(text: str, style: str = "Normal") -> None:
        document.add_paragraph(text, style=_style(document, style))

    para(heading.office, OFFICE)
    para(heading.number, NUMBER)
    para(f"关于{period}绩效管理工作运行情况的通报", TITLE)
    para("一、总体情况", HEADING)
    para(
        f"本期参加组织绩效考评的科室{b.sections}个，平均得分{b.section_average}分；"
        f"最高为{b.section_best[0]}{b.section_best[1]}分，"
        f"最低为{b.section_worst[0]}{b.section_worst[1]}分。"
    )
    if b.people:
        para(
            f"参加个人绩效考评的干部{b.people}名，平均得分{b.person_average}分，"
            f"个人之间最大分差{b.gap}分。"
        )
    grades = "；".join(
        f"{'科室' if kind == 'section' else '个人'}{grade}{count}{'个' if kind == 'section' else '名'}"
        for kind, grade, count in b.grades
    )
    para(f"考评等次：{grades}。")
    para("科室得分排名如下：")
    _table(
        document,
        ["排名", "科室", "得分", "等次"],
        [[str(rank), name, str(total), grade] for rank, name, total, grade in b.ranking],
    )
    _chart(document, b)
    para("二、扣分情况", HEADING)
    summed = "（扣分按各季度合计）" if b.quarters > 1 else ""
    para(
        f"受到组织绩效扣分的科室{len(b.deducted_sections)}个，"
        f"占科室总数的{b.section_share}%{summed}。"
    )
    if b.deducted_sections:
        several = b.quarters > 1
        _table(
            document,
            ["科室", "扣分合计", *(["季均扣分（平均）"] if several else []), "扣分事项"],
            [
                [d.name, str(d.total), *([str(d.average)] if several else []), d.reasons]
                for d in b.deducted_sections
            ],
        )
    if b.people:
        para(f"受到个人绩效扣分的干部{b.deducted_people}名，占{b.people_share}%。")
    para("三、督查督办和预警提醒情况", HEADING)
    s = b.supervision
    if s is not None:
        para(
            f"本期下发督办函{s.letters}份，交办督办事项{s.issued}项；本期到期{s.due}项，"
            f"按期办结{s.on_time}项（按期办结率{s.on_time_rate}%），逾期{s.overdue}项"
            f"（期末仍未办结{s.open}项）；督查发现问题整改到位{s.corrected}项。"
        )
        late = [x for x in s.sections if x.overdue]
        if late:
            para("有逾期事项的科室如下：")
            _table(
                document,
                ["科室", "到期事项", "按期办结", "逾期"],
                [[x.name, str(x.due), str(x.on_time), str(x.overdue)] for x in late],
            )
    else:
        para("数据中没有督办事项表，本期督办情况未统计。")
    if b.warnings is not None:
        w = b.warnings
        para(f"本期发出指标预警提醒{w.issued}次（其中二次预警{w.second}次），已签字{w.signed}次。")
    else:
        para("结果库中没有本期预警提醒的发放记录，预警提醒次数未统计。")
    para("四、存在问题", HEADING)
    if b.problems:
        para("扣分事项按发生次数排列：")
        _table(
            document,
            ["事项", "次数", "扣分合计"],
            [[name, str(count), str(points)] for name, count, points in b.problems],
        )
    if b.lost_points:
        lost = "、".join(f"{x.name}（{x.lost}/{x.scored}个科室失分）" for x in b.lost_points)
        para(f"失分面最大的指标：{lost}。")
    weakest = _names([f"{s.name}（{s.rate}%）" for s in b.weakest])
    para(f"得分率最低的指标：{weakest}。")
    if b.vetoed:
        para(f"被否决的科室：{'、'.join(f'{name}（{items}）' for name, items in b.vetoed)}。")
    para("五、持续改进", HEADING)
    para(
        f"所有考核对象均得满分的指标（区分度不足，建议修订）：{_names([s.name for s in b.everybody_full])}。"
    )
    nobody = _names([f"{s.name}（得分率{s.rate}%）" for s in b.nobody_full])
    para(f"没有考核对象得到满分的指标（标准可能过高，建议复核）：{nobody}。")
    para("六、下一步工作重点", HEADING)
    for number, line in enumerate(b.focus or b.suggestions, start=1):
        para(f"{number}. {line}")
    para("")
    para(heading.office, SIGNATURE)
    para(chinese_date(heading.date), SIGNATURE)
    return _saved(document, title, heading.office)
