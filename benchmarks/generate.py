"""Generate a deterministic synthetic corpus of paper notes for the benchmark, for llmnotes and its peers.

    python benchmarks/generate.py --sizes 100,1000,10000 [--out benchmarks/corpus]

For each size N it writes benchmarks/corpus/N/ holding the same N notes laid out for each tool:

    llmnotes/   pyproject.toml + notes/note-K.md (YAML front matter, [[note-J]] wikilinks)
    hugo/       hugo.toml + content/posts/note-K.md + layouts/_default/{baseof,single,list}.html
    pelican/    pelicanconf.py + content/note-K.md (Pelican "Key: value" metadata; default theme)
    mkdocs/     mkdocs.yml + docs/note-K.md (YAML front matter; default theme, automatic nav)
    eleventy/   eleventy.config.js + notes/note-K.md + _includes/note.njk + tags.njk (one page per tag)

Every note is about 2 KB of mixed Chinese and English with `## 方法`-style headings, 4 links to other notes, one
fenced Python block whose content no other note shares, one inline formula and one table, and 3 tags out of
200 (a third of them Chinese). Bodies are identical across tools except for the links, which each tool gets
in its own idiom: `[[note-J]]` for llmnotes, `{{< relref >}}` for Hugo, `{filename}` for Pelican, a relative
`.md` link for MkDocs (the three are checked at build time, like llmnotes' links) and an absolute URL for
Eleventy (which has no link checking).

The corpus is a pure function of N (`random.Random(N)`): the same N always gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "corpus"
TOOLS = ("llmnotes", "hugo", "pelican", "mkdocs", "eleventy")  # the layouts written unless --tools says otherwise
LINKS_PER_NOTE = 4
TAGS_PER_NOTE = 3
TAG_COUNT = 200
TARGET_BODY_BYTES = 2048

ZH_TOPICS = [
    "预训练",
    "指令微调",
    "对齐",
    "推荐系统",
    "检索增强",
    "长上下文",
    "多模态",
    "强化学习",
    "蒸馏",
    "量化",
    "稀疏注意力",
    "位置编码",
    "评测",
    "数据清洗",
    "思维链",
    "工具调用",
    "智能体",
    "代码生成",
    "安全",
    "幻觉",
    "偏好优化",
    "规模效应",
    "混合专家",
    "序列推荐",
    "冷启动",
    "召回",
    "排序",
    "用户建模",
    "知识图谱",
    "embedding",
]
EN_TOPICS = [
    "retrieval",
    "alignment",
    "pretraining",
    "tokenization",
    "scaling",
    "distillation",
    "quantization",
    "rlhf",
    "in-context",
    "reasoning",
    "evaluation",
    "benchmark",
    "multilingual",
    "vision-language",
    "speech",
    "agents",
    "planning",
    "memory",
    "compression",
    "efficiency",
    "robustness",
    "safety",
    "privacy",
    "fairness",
    "ranking",
    "ctr",
    "sequential",
    "graph",
    "contrastive",
    "generative",
    "diffusion",
    "moe",
    "sparse",
    "adapter",
    "lora",
    "prompting",
    "decoding",
    "sampling",
    "calibration",
    "interpretability",
]
ZH_SUFFIXES = ["方法", "数据", "理论", "系统", "实验"]
EN_SUFFIXES = ["theory", "data", "systems", "methods"]

ZH_PHRASES = [
    "这篇论文的核心想法是",
    "作者在实验里发现",
    "与之前的工作相比",
    "值得注意的是",
    "换句话说",
    "从推荐系统的角度看",
    "训练数据来自公开语料",
    "模型规模从一亿扩展到一百亿参数",
    "损失函数只改了一项",
    "消融实验说明这一设计最关键",
    "在零样本设置下效果明显提升",
    "作者没有报告方差",
    "结果在多个基准上一致",
    "这一点和直觉相反",
    "推理成本几乎不变",
    "需要更多的人工标注",
    "可以看作一种正则化",
    "上下文长度是主要瓶颈",
    "我们复现时遇到了数值不稳定",
    "代码已经开源",
    "附录里有完整的超参数",
    "这种做法在工业界很常见",
    "评测指标选用了准确率和召回率",
    "作者把任务统一成文本生成",
    "微调阶段冻结了大部分参数",
]
EN_TEXT = (
    "the model learns a shared representation across tasks while the decoder attends to every encoder state and "
    "the objective mixes span corruption with language modeling so that transfer improves on downstream "
    "benchmarks although the gains shrink when data is scarce and the evaluation protocol differs between "
    "papers which makes a fair comparison hard in practice we therefore report mean and variance over seeds "
    "retrieval augmented generation reduces hallucination yet adds latency and a second index to maintain"
)
EN_WORDS = EN_TEXT.split()
HEADINGS = [
    ("一句话总结", "Summary"),
    ("背景与问题", "Background"),
    ("方法", "Method"),
    ("实验", "Experiments"),
    ("讨论", "Discussion"),
    ("局限", "Limitations"),
    ("个人笔记", "Notes"),
    ("相关工作", "Related work"),
]
FIRST_NAMES = ["Wei", "Li", "Anna", "James", "Yuki", "Maria", "Chen", "Ahmed", "Sofia", "Ivan", "Priya", "Tom"]
LAST_NAMES = ["Zhang", "Wang", "Smith", "Garcia", "Tanaka", "Müller", "Kim", "Singh", "Rossi", "Novak", "Liu"]
VENUES = ["NeurIPS", "ICML", "ICLR", "ACL", "EMNLP", "KDD", "WWW", "SIGIR", "RecSys", "arXiv", "JMLR", "TACL"]
TITLE_WORDS = [
    "Scaling",
    "Sparse",
    "Retrieval",
    "Instruction",
    "Tuning",
    "Language",
    "Models",
    "Recommendation",
    "Learning",
    "Efficient",
    "Transformers",
    "Alignment",
    "Reasoning",
    "Generative",
    "Contrastive",
    "Memory",
    "Long",
    "Context",
    "Agents",
    "Preference",
    "Optimization",
    "Graph",
    "Sequential",
    "Users",
    "Zero-Shot",
    "Few-Shot",
]


def make_tags(rng: random.Random) -> list[str]:
    """200 distinct tags, about a third of them Chinese, none two folding to the same name."""
    chinese = [f"{t}{s}" for t in ZH_TOPICS for s in ZH_SUFFIXES if t.isascii() is False]
    english = [f"{t}-{s}" for t in EN_TOPICS for s in EN_SUFFIXES]
    rng.shuffle(chinese)
    rng.shuffle(english)
    tags = chinese[:67] + english[: TAG_COUNT - 67]
    assert len(tags) == TAG_COUNT and len({t.casefold() for t in tags}) == TAG_COUNT
    return tags


@dataclass(frozen=True)
class NoteSpec:
    index: int
    slug: str
    title: str
    authors: list[str]
    year: int
    venue: str
    arxiv: str
    tags: list[str]
    summary: str
    links: list[int]  # indexes of the notes this one links to
    body_template: str  # with {LINK0}..{LINK3} where the links go


def slug_of(index: int) -> str:
    return f"note-{index}"


def _english(rng: random.Random, words: int) -> str:
    start = rng.randrange(len(EN_WORDS))
    text = " ".join(EN_WORDS[(start + k) % len(EN_WORDS)] for k in range(words))
    return text[0].upper() + text[1:]


def _sentence(rng: random.Random) -> str:
    """One mixed sentence: a Chinese phrase with an English clause, ending in Chinese punctuation."""
    zh = rng.choice(ZH_PHRASES)
    return f"{zh}，{_english(rng, rng.randint(5, 12))}，{rng.choice(ZH_PHRASES)}。"


def _code_block(index: int, rng: random.Random) -> str:
    """A Python snippet no other note has: its names and constants derive from the note's index."""
    width = rng.randint(64, 4096)
    scale = rng.random()
    steps = rng.randint(1, 10_000)
    return (
        "```python\n"
        f"def score_{index}(tokens: list[int], alpha: float = {scale:.6f}) -> float:\n"
        f'    """Note {index}: weight {width} tokens over {steps} steps."""\n'
        f"    total = sum(t * alpha for t in tokens[:{width}])\n"
        f"    return total / max(1, {steps} - len(tokens))  # run {rng.getrandbits(48):012x}\n"
        "```\n"
    )


def _formula(index: int, rng: random.Random) -> str:
    variable = rng.choice(["x", "y", "h", "z"])
    return (
        rf"$\mathcal{{L}}_{{{index}}} = -\sum_{{t=1}}^{{{rng.randint(2, 512)}}} "
        rf"\log p({variable}_t \mid {variable}_{{<t}}) + \alpha \lVert \theta \rVert^2$"
    )


def _table(rng: random.Random) -> str:
    rows = ["| 模型 Model | 参数 Params | 准确率 Acc |", "| --- | --- | --- |"]
    for name in rng.sample(["Base", "Large", "XL", "Ours", "Baseline", "Distilled"], 3):
        rows.append(f"| {name} | {rng.randint(1, 175)}B | {rng.uniform(40, 95):.1f} |")
    return "\n".join(rows) + "\n"


def make_specs(size: int) -> list[NoteSpec]:
    rng = random.Random(size)
    tags = make_tags(rng)
    specs = []
    for index in range(1, size + 1):
        others = [j for j in rng.sample(range(1, size + 1), min(size, LINKS_PER_NOTE + 1)) if j != index]
        links = others[:LINKS_PER_NOTE]
        headings = rng.sample(HEADINGS, 4)
        code_at, table_at = rng.sample(range(4), 2)
        parts: list[str] = []
        link_slots = list(range(len(links)))
        for section, (zh, en) in enumerate(headings):
            parts.append(f"## {zh} {en}\n" if rng.random() < 0.3 else f"## {zh}\n")
            paragraph = [_sentence(rng) for _ in range(rng.randint(2, 3))]
            if link_slots:
                slot = link_slots.pop(0)
                paragraph.insert(rng.randint(0, len(paragraph)), f"详见 {{LINK{slot}}} 的讨论。")
            if section == 1:
                paragraph.append(f"目标函数写成 {_formula(index, rng)}。")
            parts.append("".join(paragraph) + "\n")
            if section == code_at:
                parts.append(_code_block(index, rng))
            if section == table_at:
                parts.append(_table(rng))
        body = "\n".join(parts)
        # Pad with plain mixed sentences to about 2 KB, so every note has the same weight.
        while len(body.encode("utf-8")) < TARGET_BODY_BYTES:
            body += "\n" + "".join(_sentence(rng) for _ in range(2)) + "\n"
        title_words = rng.sample(TITLE_WORDS, rng.randint(3, 6))
        specs.append(
            NoteSpec(
                index=index,
                slug=slug_of(index),
                title=f"{' '.join(title_words)} ({index})",
                authors=[f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(1, 5))],
                year=rng.randint(2015, 2024),
                venue=rng.choice(VENUES),
                arxiv=f"{rng.randint(15, 24):02d}{rng.randint(1, 12):02d}.{rng.randint(0, 99999):05d}",
                tags=rng.sample(tags, TAGS_PER_NOTE),
                summary=f"{rng.choice(ZH_PHRASES)}：{_english(rng, 8)}。",
                links=links,
                body_template=body,
            )
        )
    return specs


def _body(spec: NoteSpec, link: callable) -> str:  # type: ignore[valid-type]
    body = spec.body_template
    for slot, target in enumerate(spec.links):
        body = body.replace(f"{{LINK{slot}}}", link(target))
    return body


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _yaml_list(items: list[str]) -> str:
    return "[" + ", ".join(_yaml_str(i) for i in items) + "]"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _date(spec: NoteSpec) -> str:
    return f"{spec.year}-{(spec.index % 12) + 1:02d}-{(spec.index % 28) + 1:02d}"


# ---- llmnotes ---------------------------------------------------------------------------------------------------


def _yaml_front(spec: NoteSpec, dated: bool = False) -> str:
    """YAML front matter with the note's facts; Hugo and Eleventy also want a date to sort by."""
    date = f"date: {_date(spec)}\n" if dated else ""
    return (
        f"---\ntitle: {_yaml_str(spec.title)}\n{date}authors: {_yaml_list(spec.authors)}\nyear: {spec.year}\n"
        f'venue: {_yaml_str(spec.venue)}\narxiv: "{spec.arxiv}"\ntags: {_yaml_list(spec.tags)}\n'
        f"summary: {_yaml_str(spec.summary)}\n---\n\n"
    )


def write_llmnotes(root: Path, specs: list[NoteSpec]) -> None:
    _write(
        root / "pyproject.toml",
        "[tool.llmnotes]\n"
        f'title = "Benchmark corpus: {len(specs)} notes"\n'
        'description = "合成的论文笔记语料，用于性能测试。"\n'
        'author = "benchmark"\n'
        'language = "zh-CN"\n',
    )
    for spec in specs:
        front = _yaml_front(spec)
        _write(root / "notes" / f"{spec.slug}.md", front + _body(spec, lambda j: f"[[{slug_of(j)}]]"))


def write_llmnotes_broken(root: Path, specs: list[NoteSpec]) -> None:
    """The llmnotes layout with about three dead links a note, as real folders have them: a [[wikilink]] to a
    note nobody wrote and relative links to files that are not there, each one different."""
    write_llmnotes(root, specs)
    for spec in specs:
        rng = random.Random(f"broken-{spec.index}")
        dead = [f"[[{rng.choice(TITLE_WORDS)} {rng.choice(TITLE_WORDS)} {spec.index}-{rng.getrandbits(16)}]]"]
        for _ in range(2):
            dead.append(f"[附录]({rng.choice(['appendix', 'supp', '../figs/fig'])}-{rng.getrandbits(20)}.md)")
        path = root / "notes" / f"{spec.slug}.md"
        with path.open("a", encoding="utf-8") as note:
            note.write("\n另见 " + "、".join(dead[: rng.randint(2, 3)] if rng.random() < 0.5 else dead) + "。\n")


# ---- Hugo -------------------------------------------------------------------------------------------------------

HUGO_BASEOF = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title></head>
<body><nav><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a> · <a href="{{ "/tags/" | relURL }}">tags</a></nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""
HUGO_SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ delimit .Params.authors ", " }} · {{ .Params.venue }} {{ .Params.year }} · arXiv {{ .Params.arxiv }}</p>
<p>{{ .Params.summary }}</p>
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .TableOfContents }}
{{ .Content }}
</article>{{ end }}
"""
HUGO_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ .Params.summary }}</li>{{ end }}</ul>
{{ end }}
"""


def write_hugo(root: Path, specs: list[NoteSpec]) -> None:
    _write(
        root / "hugo.toml",
        f'baseURL = "http://localhost/"\ntitle = "Benchmark corpus: {len(specs)} notes"\n'
        'languageCode = "zh-CN"\nrelativeURLs = true\n'
        'disableKinds = ["RSS", "sitemap", "robotsTXT"]\n'
        "[markup.goldmark.renderer]\nunsafe = false\n",
    )
    layouts = root / "layouts" / "_default"
    _write(layouts / "baseof.html", HUGO_BASEOF)
    _write(layouts / "single.html", HUGO_SINGLE)
    _write(layouts / "list.html", HUGO_LIST)
    for spec in specs:
        front = _yaml_front(spec, dated=True)
        link = lambda j: f'[{slug_of(j)}]({{{{< relref "{slug_of(j)}.md" >}}}})'  # noqa: E731
        _write(root / "content" / "posts" / f"{spec.slug}.md", front + _body(spec, link))


# ---- Pelican ----------------------------------------------------------------------------------------------------

PELICAN_CONF = """AUTHOR = "benchmark"
SITENAME = "Benchmark corpus: {size} notes"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "zh"
RELATIVE_URLS = True
DEFAULT_PAGINATION = False
ARTICLE_URL = ARTICLE_SAVE_AS = "notes/{{slug}}.html"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
"""


def write_pelican(root: Path, specs: list[NoteSpec]) -> None:
    _write(root / "pelicanconf.py", PELICAN_CONF.format(size=len(specs)))
    for spec in specs:
        meta = (
            f"Title: {spec.title}\n"
            f"Date: {_date(spec)}\n"
            f"Slug: {spec.slug}\n"
            f"Authors: {', '.join(spec.authors)}\n"
            f"Tags: {', '.join(spec.tags)}\n"
            f"Venue: {spec.venue}\n"
            f"Year: {spec.year}\n"
            f"Arxiv: {spec.arxiv}\n"
            f"Summary: {spec.summary}\n\n"
        )
        link = lambda j: f"[{slug_of(j)}]({{filename}}{slug_of(j)}.md)"  # noqa: E731
        _write(root / "content" / f"{spec.slug}.md", meta + _body(spec, link))


# ---- MkDocs -----------------------------------------------------------------------------------------------------


def write_mkdocs(root: Path, specs: list[NoteSpec]) -> None:
    _write(
        root / "mkdocs.yml",
        f"site_name: 'Benchmark corpus: {len(specs)} notes'\n"
        "use_directory_urls: false\n"
        "theme:\n  name: mkdocs\n"
        "markdown_extensions:\n  - tables\n  - fenced_code\n  - toc\n",
    )
    _write(root / "docs" / "index.md", f"# Benchmark corpus\n\n{len(specs)} synthetic notes.\n")
    for spec in specs:
        front = _yaml_front(spec)
        link = lambda j: f"[{slug_of(j)}]({slug_of(j)}.md)"  # noqa: E731
        _write(root / "docs" / f"{spec.slug}.md", front + _body(spec, link))


# ---- Eleventy ---------------------------------------------------------------------------------------------------

ELEVENTY_CONFIG = """export default function (eleventyConfig) {
  return { dir: { input: "src", output: "_site" }, markdownTemplateEngine: false };
}
"""
ELEVENTY_LAYOUT = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><nav><a href="/">home</a></nav><main><article><h1>{{ title }}</h1>
<p>{{ authors | join(", ") }} · {{ venue }} {{ year }} · arXiv {{ arxiv }}</p>
<p>{{ summary }}</p>
<ul>{% for tag in tags %}<li><a href="/tags/{{ tag | urlencode }}/">{{ tag }}</a></li>{% endfor %}</ul>
{{ content | safe }}
</article></main></body></html>
"""
ELEVENTY_TAGS = """---
pagination:
  data: collections
  size: 1
  alias: tag
  filter: [all]
permalink: "/tags/{{ tag }}/"
---
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ tag }}</title></head><body><h1>{{ tag }}</h1>
<ul>{% for post in collections[tag] %}<li><a href="{{ post.url }}">{{ post.data.title }}</a></li>{% endfor %}</ul>
</body></html>
"""


def write_eleventy(root: Path, specs: list[NoteSpec]) -> None:
    _write(root / "eleventy.config.mjs", ELEVENTY_CONFIG)
    src = root / "src"
    _write(src / "_includes" / "note.njk", ELEVENTY_LAYOUT)
    _write(src / "tags.njk", ELEVENTY_TAGS)
    _write(src / "notes" / "notes.json", json.dumps({"layout": "note.njk"}) + "\n")
    for spec in specs:
        front = _yaml_front(spec, dated=True)
        link = lambda j: f"[{slug_of(j)}](/notes/{slug_of(j)}/)"  # noqa: E731
        _write(src / "notes" / f"{spec.slug}.md", front + _body(spec, link))


# ---- a real-shaped site: an imported mkdocs-material folder of paper notes ----------------------------------------

REAL_CONFERENCES = ["CVPR2024", "ICCV2023", "NeurIPS2023", "ICLR2024", "ACL2024", "ECCV2024", "AAAI2024", "ICML2024"]
REAL_FIELDS = [
    "3D视觉",
    "扩散模型",
    "视频理解",
    "强化学习",
    "多模态大模型",
    "目标检测",
    "图像分割",
    "自动驾驶",
    "具身智能",
    "高斯溅射",
    "图像生成",
    "语音与音频",
]
REAL_TERMS = [
    "扩散模型",
    "高斯溅射",
    "视频理解",
    "强化学习",
    "注意力机制",
    "多模态对齐",
    "自监督学习",
    "知识蒸馏",
    "点云配准",
    "神经辐射场",
    "语义分割",
    "开放词汇检测",
    "世界模型",
    "指令微调",
    "偏好优化",
    "token 压缩",
    "长视频建模",
    "位姿估计",
]
REAL_SENTENCES = [
    "本文针对{t}中长期存在的效率问题，提出了一种新的框架",
    "作者观察到现有的{t}方法在复杂场景下泛化能力不足",
    "核心思路是把{t}拆成两个阶段分别优化",
    "实验部分在三个公开数据集上验证了{t}的有效性",
    "与基线相比，{t}在推理速度上提升了约 {n} 倍",
    "消融实验表明，去掉{t}模块后性能下降 {n} 个点",
    "这一设计的动机来自{t}里常见的过拟合现象",
    "作者还讨论了{t}在真实机器人上的部署成本",
    "训练时使用了 {n} 张 A100，总共约 {n} 个 GPU 小时",
    "值得注意的是，{t}对超参数非常敏感",
    "方法的局限在于对{t}的先验假设较强",
    "代码和模型权重均已开源，复现难度不大",
]
REAL_MATH_INLINE = [
    r"$\mathbf{{x}}_{{{n}}} \in \mathbb{{R}}^{{d}}$",
    r"$\alpha = {n}$",
    r"$\mathcal{{L}}_{{\text{{rec}}}} + \lambda \mathcal{{L}}_{{{n}}}$",
    r"$p_\theta(x_{{t-1}} \mid x_t)$",
    r"$O(n^{{{n}}})$",
]
REAL_MATH_DISPLAY = [
    "$$\n\\mathcal{{L}} = \\mathbb{{E}}_{{t, x_0, \\epsilon}} \\left[ \\lVert \\epsilon - \\epsilon_\\theta(x_t, t) "
    "\\rVert^2 \\right] + {n}\n$$",
    "$$\n\\text{{Attention}}(Q, K, V) = "
    "\\operatorname{{softmax}}\\left(\\frac{{QK^\\top}}{{\\sqrt{{d_{{{n}}}}}}}\\right) V\n$$",
    "$$\nG(x) = \\sum_{{i=1}}^{{{n}}} \\alpha_i "
    "\\exp\\left(-\\frac{{1}}{{2}} (x-\\mu_i)^\\top \\Sigma_i^{{-1}} (x-\\mu_i)\\right)\n$$",
]
REAL_HEADINGS = ["摘要", "动机", "方法", "实验", "消融实验", "局限与思考", "相关工作", "个人评价"]


def _real_size(rng: random.Random) -> int:
    """Bytes of a note's body: long-tailed, mostly a few KB, a few up to 40 KB; about 8 KB on average."""
    return max(1024, min(40 * 1024, int(rng.lognormvariate(8.75, 0.6))))


def _real_paragraph(rng: random.Random, number: int) -> str:
    sentences = []
    for _ in range(rng.randint(2, 5)):
        sentence = rng.choice(REAL_SENTENCES).format(t=rng.choice(REAL_TERMS), n=rng.randint(2, 999))
        if rng.random() < 0.3:
            sentence += f"（{_english(rng, rng.randint(3, 8))}）"
        sentences.append(sentence)
    return "，".join(sentences) + f"。[{number}-{rng.getrandbits(20):05x}]"


def _real_table(rng: random.Random) -> str:
    columns = rng.randint(6, 11)
    header = "| 方法 | " + " | ".join(f"指标{k} Metric-{k}" for k in range(1, columns)) + " |"
    rows = [header, "|" + " --- |" * columns]
    for name in rng.sample(["Baseline", "Ours", "Ours-L", "Prior SOTA", "Zero-shot", "Fine-tuned"], 3):
        rows.append(f"| {name} | " + " | ".join(f"{rng.uniform(10, 99):.1f}" for _ in range(1, columns)) + " |")
    return "\n".join(rows)


def real_note(number: int, conference: str, field: str, siblings: list[str], rng: random.Random) -> tuple[str, str]:
    """One note as such a site has them: (file name, text). No front matter; the facts are bold lines."""
    words = rng.sample(TITLE_WORDS, rng.randint(3, 6))
    head = rng.choice(["Uni", "Gauss", "Video", "Diff", "Robo", "Open", "Seg", "Mo"])
    short = f"{head}{rng.choice(['Fusion', 'Mamba', 'Net', 'Former', 'GPT', 'Splat', 'Gen'])}-{number}"
    title = f"{short}: {' '.join(words)}"
    venue = f"{conference[:-4]} {conference[-4:]}"
    arxiv = f"{rng.randint(22, 24)}{rng.randint(1, 12):02d}.{rng.randint(0, 99999):05d}"
    parts = [
        f"# {title}\n",
        f"**会议**: {venue}  \n**arXiv**: [{arxiv}](https://arxiv.org/abs/{arxiv})  \n"
        f"**代码**: https://github.com/{short.lower()}/{short.lower()}  \n"
        f"**领域**: {field}  \n**关键词**: {', '.join(rng.sample(REAL_TERMS, 3))}\n",
    ]
    if rng.random() < 0.10:
        parts.append(f"<!-- TODO: 补充第 {rng.randint(2, 9)} 节的实验细节 -->\n")
    target = _real_size(rng)
    broken = [f"../{rng.choice(REAL_FIELDS)}/{rng.choice(['baseline', 'prior', 'survey'])}-{rng.getrandbits(16)}.md"]
    broken += [f"{rng.choice(['appendix', 'supp', 'figs/fig'])}-{rng.getrandbits(16)}.md" for _ in range(2)]
    has_display = rng.random() < 0.07
    has_inline = rng.random() < 0.35
    body: list[str] = []
    section = 0
    while sum(len(part.encode()) for part in body) < target:
        body.append(f"## {REAL_HEADINGS[section % len(REAL_HEADINGS)]}{'' if section < 8 else f' {section}'}\n")
        section += 1
        body.append(_real_paragraph(rng, number) + "\n")
        if broken and rng.random() < 0.5:
            body.append(f"详见[相关工作]({broken.pop()})。\n")
        if siblings and rng.random() < 0.2:
            body.append(f"另见同领域的 [{siblings[0]}]({rng.choice(siblings)})。\n")
        if has_inline and rng.random() < 0.3:
            body.append(f"其中 {rng.choice(REAL_MATH_INLINE).format(n=rng.randint(1, 99))} 表示关键量。\n")
        if has_display and rng.random() < 0.3:
            body.append(rng.choice(REAL_MATH_DISPLAY).format(n=rng.randint(1, 99)) + "\n")
            has_display = False
        if rng.random() < 0.08:
            body.append(_real_table(rng) + "\n")
        if rng.random() < 0.06:
            term = rng.choice(REAL_TERMS)
            body.append(f"{term}\n:   {_real_paragraph(rng, number)}\n")
        if rng.random() < 0.3:
            body.append("- " + "\n- ".join(_real_paragraph(rng, number)[:80] for _ in range(rng.randint(2, 4))) + "\n")
    for link in broken:  # what the walk above did not place: at the end, as "see also"
        body.append(f"- [延伸阅读]({link})\n")
    name = f"{short.lower()}.md"
    return name, "\n".join(parts + body)


REAL_MKDOCS = """site_name: 论文笔记
site_description: 顶会论文阅读笔记，按会议和领域整理。
site_url: https://example.github.io/paper-notes/
repo_url: https://github.com/example/paper-notes
theme:
  name: material
  language: zh
  features:
    - navigation.tabs
    - navigation.sections
    - navigation.prune
    - navigation.top
    - search.suggest
    - search.highlight
    - content.code.copy
plugins:
  - search:
      separator: '[\\s\\u200b\\-_,:!=\\[\\]()"`/]+|\\.(?!\\d)|&[lg]t;|(?!\\b)(?=[A-Z][a-z])'
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - def_list
  - tables
  - toc:
      permalink: true
  - pymdownx.arithmatex:
      generic: true
  - pymdownx.highlight
  - pymdownx.superfences
"""
REAL_HOME = """# 论文笔记

<div class="hero" markdown>
<p class="hero-sub">顶会论文的阅读笔记 <span class="hl">{count} 篇</span><br>按会议和领域整理</p>

**从这里开始**：挑一个会议，再挑一个领域。
</div>

<!-- 首页由脚本生成，请勿手改 -->

{conferences}
"""


def write_real(root: Path, size: int) -> None:
    """A folder shaped like a real imported mkdocs-material site of `size` paper notes: conference / field folders,
    each with an index.md listing its notes, a hero home page, notes with no front matter and dead links."""
    rng = random.Random(f"real-{size}")
    docs = root / "docs"
    _write(root / "mkdocs.yml", REAL_MKDOCS)
    places = [(conference, field) for conference in REAL_CONFERENCES for field in REAL_FIELDS]
    per_place: dict[tuple[str, str], list[tuple[str, str]]] = {place: [] for place in places}
    for number in range(size):
        place = places[number % len(places)] if number < len(places) else rng.choice(places)
        siblings = [name for name, _ in per_place[place][-5:]]
        per_place[place].append(real_note(number, *place, siblings, rng))
    for (conference, field), notes in per_place.items():
        folder = docs / conference / field
        for name, text in notes:
            _write(folder / name, text)
        listing = "\n".join(f"- [{text.splitlines()[0][2:]}]({name})" for name, text in notes)
        _write(folder / "index.md", f"# {field}\n\n{conference} 中{field}方向的 {len(notes)} 篇笔记。\n\n{listing}\n")
    for conference in REAL_CONFERENCES:
        fields = "\n".join(f"- [{field}]({field}/index.md)" for field in REAL_FIELDS)
        _write(docs / conference / "index.md", f"# {conference}\n\n{fields}\n")
    conferences = "\n".join(f"- [{conference}]({conference}/index.md)" for conference in REAL_CONFERENCES)
    _write(docs / "index.md", REAL_HOME.format(count=size, conferences=conferences))


def generate_real(size: int, out: Path = DEFAULT_OUT) -> Path:
    """Write corpus/real-<size>/site/ (see write_real), replacing what was there; returns corpus/real-<size>."""
    base = out / f"real-{size}"
    (base / ".complete-site").unlink(missing_ok=True)
    if (base / "site").exists():
        shutil.rmtree(base / "site")
    write_real(base / "site", size)
    (base / ".complete-site").write_text(f"{size} real-shaped notes\n")
    return base


WRITERS = {
    "llmnotes": write_llmnotes,
    "llmnotes-broken": write_llmnotes_broken,
    "hugo": write_hugo,
    "pelican": write_pelican,
    "mkdocs": write_mkdocs,
    "eleventy": write_eleventy,
}


def generate(size: int, out: Path = DEFAULT_OUT, tools: tuple[str, ...] = TOOLS) -> Path:
    """Write corpus/<size>/<tool>/ for each tool, replacing what was there; returns corpus/<size>."""
    base = out / str(size)
    specs = make_specs(size)
    for tool in tools:
        target = base / tool
        (base / f".complete-{tool}").unlink(missing_ok=True)
        if target.exists():
            shutil.rmtree(target)
        WRITERS[tool](target, specs)
        (base / f".complete-{tool}").write_text(f"{size} notes\n")  # run.py regenerates a layout without it
    return base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated note counts")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where corpus/<size>/ folders go")
    parser.add_argument("--tools", default=",".join(TOOLS), help="which layouts to write")
    args = parser.parse_args()
    tools = tuple(t for t in args.tools.split(",") if t)
    for size in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        base = generate(size, args.out.resolve(), tools)
        print(f"wrote {size} notes for {', '.join(tools)} into {base}")


if __name__ == "__main__":
    main()
