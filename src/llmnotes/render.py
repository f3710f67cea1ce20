"""The Jinja environment: the site's templates over the built-in theme, filters, and interface strings."""

from __future__ import annotations

import os
import traceback
from functools import partial
from typing import Any

import jinja2

from .config import Config, builtin_theme
from .model import Diagnostic, UserError
from .paths import href

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "home": "首页",
        "tags": "标签",
        "all_tags": "全部标签",
        "notes_count": "篇笔记",
        "backlinks": "反向链接",
        "no_backlinks": "还没有笔记链接到这里。",
        "in_section": "本节内容",
        "up": "上一级",
        "previous": "上一篇",
        "next": "下一篇",
        "authors": "作者",
        "venue": "发表",
        "year": "年份",
        "code": "代码",
        "tagged": "标签",
        "not_found": "页面不存在",
        "not_found_text": "这个地址没有页面。可以回到首页，或者从标签索引里找找。",
        "feed": "订阅",
        "skip": "跳到正文",
        "notes_tagged": "带有此标签的笔记",
        "builds_on": "基于",
        "unresolved": "未找到的链接",
        "back_home": "返回首页",
        "by_year": "按年份",
        "by_section": "分类",
        "recent": "最近的笔记",
        "sections_nav": "章节",
        "open_nav": "目录",
        "close_nav": "关闭目录",
        "expand": "展开",
        "edit_page": "编辑此页",
        "reading_order": "阅读顺序",
        "site_nav": "站点导航",
        "dark_mode": "深色模式",
        "toc": "目录",
        "copy_code": "复制",
        "code_block": "代码",
        "code_block_in": "{language} 代码",
        "table": "表格",
        "formula": "公式",
        "copied_code": "已复制",
        "filter": "筛选",
        "search": "搜索",
        "search_placeholder": "标题、名称、模型…",
        "group": "分组",
        "all": "全部",
        "has_code": "只看有代码的",
        "name": "名称",
        "paper": "论文",
        "project": "项目页",
        "sources": "来源",
        "timeline": "时间线",
        "timeline_lead": "按发表年月从早到晚排列的全部论文；月份是笔记所记年份里的月份"
        "（arXiv 首版、首次发布或正式发表），不确定的不写。",
        "lineage": "谱系",
        "lineage_title": "论文谱系：年份从左到右，箭头从一篇论文指向基于它的论文",
        "lineage_lead": "每个方框是一篇笔记，点击打开；箭头从被借鉴的论文指向在它之上的工作。",
        "lineage_list": "以列表查看谱系",
        "undated": "年份不详",
        "unknown_month": "月份不详",
        "month_names": "1 月,2 月,3 月,4 月,5 月,6 月,7 月,8 月,9 月,10 月,11 月,12 月",
        "cite": "引用",
        "copy_bibtex": "复制 BibTeX",
        "copied_bibtex": "已复制",
        "download_bib": "下载 .bib",
        "all_references": "全部文献（BibTeX）",
        "ancestors": "上游：它所基于的论文",
        "descendants": "下游：基于它的论文",
        "no_lineage": "笔记里没有记录这篇论文的上下游。",
        "view_in_lineage": "在谱系图中查看",
        "related": "相关论文",
        "related_notes": "相关笔记",
        "rel_builds_on": "基于",
        "rel_built_on_by": "后续工作",
        "rel_links_to": "链接到",
        "rel_linked_from": "被链接",
        "rel_sibling": "同源",
        "shared_tags": "共同标签",
        "external": "外部链接",
        "written": "写于",
        "changed": "更新于",
        "shown_count": "篇",
    },
    "en": {
        "home": "Home",
        "tags": "Tags",
        "all_tags": "All tags",
        "notes_count": "notes",
        "backlinks": "Linked from",
        "no_backlinks": "No note links here yet.",
        "in_section": "In this section",
        "up": "Up",
        "previous": "Previous",
        "next": "Next",
        "authors": "Authors",
        "venue": "Venue",
        "year": "Year",
        "code": "Code",
        "tagged": "Tags",
        "not_found": "Page not found",
        "not_found_text": "There is no page at this address. Go back home or browse the tags.",
        "feed": "Feed",
        "skip": "Skip to content",
        "notes_tagged": "Notes tagged",
        "builds_on": "Builds on",
        "unresolved": "link not found",
        "back_home": "Back home",
        "by_year": "By year",
        "by_section": "Sections",
        "recent": "Recent notes",
        "sections_nav": "Sections",
        "open_nav": "Sections",
        "close_nav": "Close sections",
        "expand": "Expand",
        "edit_page": "Edit this page",
        "reading_order": "Reading order",
        "site_nav": "Site",
        "dark_mode": "Dark mode",
        "toc": "Contents",
        "copy_code": "Copy",
        "code_block": "Code",
        "code_block_in": "{language} code",
        "table": "Table",
        "formula": "Formula",
        "copied_code": "Copied",
        "filter": "Filter",
        "search": "Search",
        "search_placeholder": "title, name, model…",
        "group": "Group",
        "all": "All",
        "has_code": "with code only",
        "name": "Name",
        "paper": "Paper",
        "project": "project page",
        "sources": "Sources",
        "timeline": "Timeline",
        "timeline_lead": "Every paper by year and month, oldest first; the month is that of the version the year names "
        "(first arXiv version, release or publication), and left out when unsure.",
        "lineage": "Lineage",
        "lineage_title": "Paper lineage: years from left to right, arrows from a paper to the papers that build on it",
        "lineage_lead": "Each box is a note (click to open); arrows point from a paper to the work built on it.",
        "lineage_list": "The lineage as a list",
        "undated": "Undated",
        "unknown_month": "Month unknown",
        "month_names": "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec",
        "cite": "Cite",
        "copy_bibtex": "Copy BibTeX",
        "copied_bibtex": "Copied",
        "download_bib": "Download .bib",
        "all_references": "All references (BibTeX)",
        "ancestors": "Upstream: papers it builds on",
        "descendants": "Downstream: papers building on it",
        "no_lineage": "The notes record no lineage for this paper.",
        "view_in_lineage": "Show in the lineage",
        "related": "Related papers",
        "related_notes": "Related notes",
        "rel_builds_on": "builds on",
        "rel_built_on_by": "built on by",
        "rel_links_to": "links to",
        "rel_linked_from": "linked from",
        "rel_sibling": "shares a parent",
        "shared_tags": "shared tags",
        "external": "external link",
        "written": "Written",
        "changed": "updated",
        "shown_count": "papers",
    },
}


def interface_strings(language: str) -> dict[str, str]:
    """The interface strings of a site in `language` (a BCP 47 tag such as zh-CN): its own, or English."""
    return STRINGS.get(language.split("-")[0].lower(), STRINGS["en"])


class Renderer:
    """Renders a template for one output path; `url()` in templates makes links relative to that path."""

    def __init__(self, config: Config, data: dict[str, Any] | None = None) -> None:
        self.config = config
        self.data = data
        self.theme_dirs = [d for d in (config.templates_path, builtin_theme()) if d.is_dir()]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.theme_dirs]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # a renderer lives for one build: no stat of every template a page uses, per page
        )
        self.strings = interface_strings(config.language)  # the interface's words: `t` in templates
        self.env.globals.update(config=config, data=data or {}, t=self.strings)

    def __reduce__(self) -> tuple:
        # A worker process that is not forked makes its own environment (and compiles the templates it uses once):
        # Jinja's environment and compiled templates do not pickle.
        return (type(self), (self.config, self.data))

    def render(self, template_name: str, page_path: str, **context: Any) -> bytes:
        try:
            template = self.env.get_template(template_name)
            root = "../" * page_path.count("/")
            text = template.render(page_path=page_path, root=root, url=partial(href, page_path), **context)
        except jinja2.TemplateSyntaxError as error:
            raise UserError(_template_problem(error, error.lineno, error.message or str(error))) from None
        except jinja2.TemplateNotFound as error:
            raise UserError(f"template {error.name} not found in {self.theme_dirs[0]}") from None
        except jinja2.UndefinedError as error:
            raise UserError(f"template {template_name}: {error.message}") from None
        except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as error:
            if not self._from_own_templates(error):
                raise  # a bug in llmnotes or its built-in theme: the command reports it with the traceback
            raise UserError(f"template {template_name} failed while rendering {page_path}: {error}") from None
        return text.encode("utf-8")

    def _from_own_templates(self, error: BaseException) -> bool:
        """Whether the site's own templates (not the built-in theme) are among the places `error` passed through."""
        builtin = builtin_theme().resolve()
        own = tuple(f"{d.resolve()}{os.sep}" for d in self.theme_dirs if d.resolve() != builtin)
        frames = traceback.extract_tb(error.__traceback__)
        return bool(own) and any(frame.filename.startswith(own) for frame in frames)


def _template_problem(error: jinja2.TemplateSyntaxError, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(error.filename or error.name or "template", f"template error: {message}", line=line)
