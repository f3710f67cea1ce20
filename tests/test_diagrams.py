"""The ```flow and ```attention-mask fences: parsing, layout, escaping, problems, ids and fence chaining."""

from __future__ import annotations

import re
import textwrap
from typing import Any

import pytest
from markdown_it import MarkdownIt

from llmnotes.markdown.diagrams import attention_mask, flow, flow_layout
from llmnotes.markdown.diagrams.svg import text_width, wrap_text


def render(markdown: str, env: dict[str, Any] | None = None) -> str:
    md = MarkdownIt("commonmark").use(flow.plugin).use(attention_mask.plugin)
    return md.render(textwrap.dedent(markdown).lstrip("\n"), {} if env is None else env)


def fence(kind: str, body: str) -> str:
    return f"```{kind}\n{textwrap.dedent(body).strip()}\n```\n"


def attributes(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([\w:-]+)="([^"]*)"', tag))


def node_rects(html: str) -> dict[str, dict[str, float]]:
    rects = {}
    for tag in re.findall(r'<rect class="node"[^>]*>', html):
        attrs = attributes(tag)
        rects[attrs["data-node"]] = {key: float(attrs[key]) for key in ("x", "y", "width", "height")}
    return rects


def edge_paths(html: str) -> list[dict[str, str]]:
    return [attributes(tag) for tag in re.findall(r'<path class="edge"[^>]*>', html)]


def path_points(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", d)]


def svgs(html: str) -> list[str]:
    return re.findall(r'<svg [^>]*class="diagram-svg".*?</svg>', html, re.S)


CHAIN = fence(
    "flow",
    """
    caption: 三步训练
    sft[监督微调] --> rm[奖励模型] -->|奖励分数| ppo[PPO 强化学习]
    """,
)


# ---- flow: drawing ------------------------------------------------------------------------------------


def test_lr_chain_draws_three_boxes_and_two_arrows_left_to_right() -> None:
    html = render(CHAIN)
    rects = node_rects(html)
    edges = edge_paths(html)
    marker = re.search(r'<marker id="([^"]+)"', html)
    assert marker is not None
    assert list(rects) == ["sft", "rm", "ppo"]
    assert [(edge["data-from"], edge["data-to"]) for edge in edges] == [("sft", "rm"), ("rm", "ppo")]
    assert all(edge["marker-end"] == f"url(#{marker.group(1)})" for edge in edges)
    assert rects["sft"]["x"] < rects["rm"]["x"] < rects["ppo"]["x"]
    assert rects["sft"]["y"] == rects["rm"]["y"] == rects["ppo"]["y"]
    for text in ("监督微调", "奖励模型", "PPO 强化学习", "奖励分数"):
        assert f">{text}</tspan>" in html
    assert html.startswith('<figure class="diagram diagram-flow')
    assert "<figcaption>三步训练</figcaption>" in html


def test_arrows_start_and_end_on_the_box_sides() -> None:
    html = render(CHAIN)
    rects = node_rects(html)
    for edge in edge_paths(html):
        start, end = path_points(edge["d"])[0], path_points(edge["d"])[-1]
        source, target = rects[edge["data-from"]], rects[edge["data-to"]]
        assert start[0] == pytest.approx(source["x"] + source["width"], abs=0.1)
        assert end[0] == pytest.approx(target["x"], abs=0.1)
        assert target["y"] <= end[1] <= target["y"] + target["height"]


def test_boxes_are_wide_enough_for_their_text() -> None:
    html = render(fence("flow", "caption: c\na[① SFT：人工示范数据\\n监督微调 GPT-3] --> b[Reward model（RM）]"))
    rects = re.findall(r'<rect class="node"[^>]*>', html)
    texts = re.findall(r'<text class="node-label".*?</text>', html)
    for rect, text in zip(rects, texts, strict=True):
        widest = max(text_width(line) for line in re.findall(r">([^<]*)</tspan>", text))
        assert float(attributes(rect)["width"]) >= widest + 2 * flow_layout.NODE_PADDING[0] - 0.1


def test_tb_puts_ranks_in_rows_top_to_bottom() -> None:
    html = render(fence("flow", "direction: TB\ncaption: 纵向\na[输入] --> b[思维链] --> c[输出]"))
    rects = node_rects(html)
    assert rects["a"]["y"] < rects["b"]["y"] < rects["c"]["y"]
    centres = {node: rect["x"] + rect["width"] / 2 for node, rect in rects.items()}
    assert centres["a"] == pytest.approx(centres["b"]) == pytest.approx(centres["c"])


def test_ranks_follow_the_longest_path_from_the_sources() -> None:
    html = render(fence("flow", "caption: c\na --> b --> c\na --> c\nd --> c"))
    rects = node_rects(html)
    assert rects["a"]["x"] == rects["d"]["x"] < rects["b"]["x"] < rects["c"]["x"]


def test_disconnected_chains_sit_side_by_side_in_tb() -> None:
    html = render(fence("flow", "direction: TB\ncaption: 对比\na1[GPT-1] --> a2[微调]\nb1[GPT-2] --> b2[零样本]"))
    rects = node_rects(html)
    assert rects["a1"]["y"] == rects["b1"]["y"] and rects["a2"]["y"] == rects["b2"]["y"]
    assert rects["a1"]["x"] + rects["a1"]["width"] < rects["b1"]["x"]
    assert rects["a2"]["x"] + rects["a2"]["width"] < rects["b2"]["x"]


def test_disconnected_chains_are_stacked_across_the_flow_in_lr() -> None:
    rects = node_rects(render(fence("flow", "caption: 两条链\na --> b\nc --> d")))
    assert rects["a"]["x"] == rects["c"]["x"] and rects["b"]["x"] == rects["d"]["x"]
    assert rects["a"]["y"] + rects["a"]["height"] < rects["c"]["y"]


def test_a_cycle_is_drawn_with_every_edge_and_no_problem() -> None:
    env: dict[str, Any] = {}
    html = render(fence("flow", "caption: 回环\na --> b --> c --> a"), env)
    assert "problems" not in env
    assert len(edge_paths(html)) == 3
    rects = node_rects(html)
    assert rects["a"]["x"] < rects["b"]["x"] < rects["c"]["x"]
    back = next(edge for edge in edge_paths(html) if edge["data-from"] == "c")
    assert path_points(back["d"])[-1][0] == pytest.approx(rects["a"]["x"] + rects["a"]["width"], abs=0.1)


def test_an_edge_skipping_a_rank_goes_around_the_node_in_between() -> None:
    html = render(fence("flow", "caption: 跳跃\na --> b --> c\na --> c"))
    rects = node_rects(html)
    skip = next(edge for edge in edge_paths(html) if (edge["data-from"], edge["data-to"]) == ("a", "c"))
    box = rects["b"]
    _, entry, exit_, _ = path_points(skip["d"])  # the edge runs level through b's column, beside b
    assert entry[1] == exit_[1]
    assert entry[0] <= box["x"] and exit_[0] >= box["x"] + box["width"]
    assert not box["y"] <= entry[1] <= box["y"] + box["height"]


def boxes_of(html: str, pattern: str) -> list[tuple[float, ...]]:
    found = []
    for tag in re.findall(pattern, html):
        attrs = attributes(tag)
        found.append(tuple(float(attrs[key]) for key in ("x", "y", "width", "height")))
    return found


def overlaps(first: tuple[float, ...], second: tuple[float, ...]) -> bool:
    x1, y1, w1, h1 = first
    x2, y2, w2, h2 = second
    return x1 < x2 + w2 and x2 < x1 + w1 and y1 < y2 + h2 and y2 < y1 + h1


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_edge_labels_overlap_neither_each_other_nor_boxes(direction: str) -> None:
    body = f"""
        direction: {direction}
        caption: 两条路
        base[预训练语言模型] -->|人工写的指令数据| sft[指令微调]
        base -->|人类偏好排序数据| rm[奖励模型]
        base -->|直接提示，不做任何训练| ppo
        sft --> ppo[PPO]
        rm -->|奖励| ppo
    """
    html = render(fence("flow", body))
    labels = boxes_of(html, r'<g class="edge-label"><rect[^>]*>')
    nodes = boxes_of(html, r'<rect class="node"[^>]*>')
    assert len(labels) == 4 and len(nodes) == 4
    for index, label in enumerate(labels):
        assert not any(overlaps(label, other) for other in labels[index + 1 :] + nodes)


def test_long_labels_wrap_and_backslash_n_breaks() -> None:
    long_label = "直接在下游任务上评测不做任何梯度更新也不需要任务特定的结构"
    html = render(fence("flow", f"caption: c\na[{long_label}] --> b[第一行\\n第二行]"))
    texts = re.findall(r'<text class="node-label".*?</text>', html)
    first = re.findall(r">([^<]*)</tspan>", texts[0])
    assert len(first) >= 2 and "".join(first) == long_label
    assert all(len(line) <= 14 for line in first)
    assert re.findall(r">([^<]*)</tspan>", texts[1]) == ["第一行", "第二行"]


def test_labels_captions_and_edge_labels_are_escaped() -> None:
    html = render(fence("flow", 'caption: a <b> & "c"\nx[<script>alert(1)</script>] -->|<i>| y["quoted & fine"]'))
    assert "<script>" not in html and "<i>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;i&gt;" in html
    assert "<figcaption>a &lt;b&gt; &amp; &quot;c&quot;</figcaption>" in html
    assert ">quoted &amp; fine</tspan>" in html


def test_comments_are_dropped_but_a_hash_inside_a_label_stays() -> None:
    env: dict[str, Any] = {}
    html = render(fence("flow", "# a comment\ncaption: 注释  # trailing\na[C# 入门] --> b   # edge"), env)
    assert "problems" not in env
    assert ">C# 入门</tspan>" in html
    assert "<figcaption>注释</figcaption>" in html


def test_svg_is_accessible_and_titled_by_the_caption() -> None:
    html = render(CHAIN)
    svg_tag = re.search(r"<svg [^>]*>", html)
    assert svg_tag is not None
    attrs = attributes(svg_tag.group())
    assert attrs["role"] == "img"
    assert f'<title id="{attrs["aria-labelledby"]}">三步训练</title>' in html
    assert re.fullmatch(r"[\d.]+ [\d.]+ [\d.]+ [\d.]+", attrs["viewBox"].replace("-", ""))


# ---- ids and determinism ------------------------------------------------------------------------------


def ids(html: str) -> list[str]:
    return re.findall(r' id="([^"]+)"', html)


def test_same_diagram_renders_byte_identical() -> None:
    assert render(CHAIN) == render(CHAIN)


def test_different_diagrams_on_one_page_have_different_ids() -> None:
    other = fence("flow", "caption: 另一个\nx --> y")
    html = render(CHAIN + "\n" + other)
    markers = re.findall(r'<marker id="([^"]+)"', html)
    assert len(markers) == 2 and markers[0] != markers[1]
    assert len(ids(html)) == len(set(ids(html)))


def test_the_same_diagram_twice_on_one_page_still_has_unique_ids() -> None:
    html = render(CHAIN + "\n" + CHAIN)
    assert len(re.findall(r"<marker ", html)) == 2
    assert len(ids(html)) == len(set(ids(html)))


# ---- problems -----------------------------------------------------------------------------------------


def test_unknown_statement_records_its_source_line_and_shows_an_error_figure() -> None:
    markdown = "# 标题\n\n一段文字。\n\n```flow\ncaption: 出错\na --> b\na -> c\n```\n"
    env: dict[str, Any] = {}
    html = render(markdown, env)
    bad_line = markdown.split("\n").index("a -> c")
    assert [problem["line"] for problem in env["problems"]] == [bad_line]
    assert "unknown statement" in env["problems"][0]["message"]
    assert '<figure class="diagram diagram-error">' in html
    assert "<mark>a -&gt; c</mark>" in html
    assert "<svg" not in html


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("a --> b", "no caption"),
        ("caption: 空", "no nodes"),
        ("caption: c\ndirection: RL\na --> b", "unknown direction"),
        ("caption: c\na[一] --> b\na[二] --> c", "labelled twice"),
        ("caption: c\na --> a", "points at its own node"),
        ("caption: c\na[] --> b", "empty label"),
        ("caption: c\na[未闭合 --> b", "no closing"),
        ("caption: c\na -->", "needs a node after it"),
        ("caption: c\ncaption: d\na --> b", "second caption"),
    ],
)
def test_mistakes_become_problems_not_exceptions(body: str, expected: str) -> None:
    env: dict[str, Any] = {}
    html = render(fence("flow", body), env)
    assert any(expected in problem["message"] for problem in env["problems"])
    assert "diagram-error" in html


def test_whole_diagram_problems_point_at_the_fence_line() -> None:
    env: dict[str, Any] = {}
    render("text\n\n```flow\na --> b\n```\n", env)
    assert env["problems"] == [
        {"line": 2, "message": env["problems"][0]["message"]},
    ]


def test_an_edge_to_an_undeclared_node_uses_its_id_as_label() -> None:
    env: dict[str, Any] = {}
    html = render(fence("flow", "caption: c\na[输入] --> gpt-2"), env)
    assert "problems" not in env
    assert ">gpt-2</tspan>" in html


# ---- chaining with other fence rules ------------------------------------------------------------------


def test_other_fences_go_to_the_default_rule_and_its_highlighter() -> None:
    md = MarkdownIt("commonmark", {"highlight": lambda code, lang, attrs: f"<pre>HL:{lang}</pre>"})
    md.use(flow.plugin).use(attention_mask.plugin)
    html = md.render("```python\nprint(1)\n```\n" + CHAIN)
    assert "<pre>HL:python</pre>" in html
    assert "diagram-flow" in html and "HL:flow" not in html


def test_a_fence_rule_installed_before_the_plugins_still_gets_other_fences() -> None:
    md = MarkdownIt("commonmark")
    md.add_render_rule("fence", lambda self, tokens, idx, options, env: f"<pre>custom {tokens[idx].info}</pre>")
    md.use(flow.plugin).use(attention_mask.plugin)
    html = md.render("```python\nx\n```\n" + CHAIN)
    assert "<pre>custom python</pre>" in html and "diagram-flow" in html


def test_a_fence_rule_installed_after_the_plugins_can_delegate_to_them() -> None:
    md = MarkdownIt("commonmark").use(flow.plugin)
    previous = md.renderer.rules["fence"]

    def highlighter(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        if tokens[idx].info == "python":
            return "<pre>pygments</pre>"
        return str(previous(tokens, idx, options, env))

    md.add_render_rule("fence", highlighter)
    html = md.render("```python\nx\n```\n" + CHAIN)
    assert "<pre>pygments</pre>" in html and "diagram-flow" in html


def test_only_the_first_word_of_the_info_string_counts() -> None:
    assert "diagram-flow" in render(CHAIN.replace("```flow", "```flow {.wide}"))
    assert "diagram-flow" not in render(CHAIN.replace("```flow", "```flowchart"))


# ---- attention-mask -----------------------------------------------------------------------------------


def cells_on(svg: str) -> int:
    return len(re.findall(r'<rect class="cell-on"', svg))


MASKS = fence(
    "attention-mask",
    """
    caption: UniLM 的三种自注意力掩码
    bidirectional 5 双向语言模型
    left-to-right 5 单向语言模型（从左到右）
    seq2seq 2+3 序列到序列语言模型
    """,
)


def test_mask_figure_has_one_grid_per_panel_titles_legend_and_caption() -> None:
    html = render(MASKS)
    panels = svgs(html)
    assert len(panels) == 3
    assert [cells_on(panel) for panel in panels] == [25, 15, 16]
    for title in ("双向语言模型", "单向语言模型（从左到右）", "序列到序列语言模型"):
        assert f'<p class="mask-title">{title}</p>' in html
    assert "可以注意" in html and "被屏蔽" in html
    assert "<figcaption>UniLM 的三种自注意力掩码</figcaption>" in html
    assert html.startswith('<figure class="diagram diagram-mask">')
    assert len(ids(html)) == len(set(ids(html)))


@pytest.mark.parametrize(
    ("panel", "filled"),
    [
        ("seq2seq 2+3 s", 2 * 2 + 3 * 2 + (1 + 2 + 3)),
        ("left-to-right 4 l", 10),
        ("right-to-left 4 r", 10),
        ("bidirectional 3 b", 9),
        ("seq2seq 1+1 tiny", 3),
    ],
)
def test_mask_fills_exactly_the_cells_that_may_attend(panel: str, filled: int) -> None:
    (svg,) = svgs(render(fence("attention-mask", f"caption: c\n{panel}")))
    assert cells_on(svg) == filled
    assert (
        len(re.findall(r'<rect class="cell-(?:on|off)"', svg)) == sum(int(n) for n in panel.split()[1].split("+")) ** 2
    )


def test_seq2seq_rule_cell_by_cell() -> None:
    panel = attention_mask.Panel("seq2seq", 2, 3, "t")
    grid = ["".join("#" if attention_mask.may_attend(panel, q, k) else "." for k in range(5)) for q in range(5)]
    assert grid == ["##...", "##...", "###..", "####.", "#####"]


def test_right_to_left_sees_itself_and_the_right() -> None:
    panel = attention_mask.Panel("right-to-left", 3, 0, "t")
    grid = ["".join("#" if attention_mask.may_attend(panel, q, k) else "." for k in range(3)) for q in range(3)]
    assert grid == ["###", ".##", "..#"]


def test_seq2seq_axes_name_source_and_target_tokens_with_a_separator() -> None:
    (svg,) = svgs(render(fence("attention-mask", "caption: c\nseq2seq 2+3 s")))
    labels = re.findall(r">([ST]\d)</text>", svg)
    assert labels == ["S1", "S2", "T1", "T2", "T3"] * 2
    assert 'class="segment-separator"' in svg
    (plain,) = svgs(render(fence("attention-mask", "caption: c\nleft-to-right 3 l")))
    assert re.findall(r">(x\d)</text>", plain) == ["x1", "x2", "x3"] * 2
    assert "segment-separator" not in plain


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("causal 4 x", "unknown panel"),
        ("seq2seq 5 x", "bad size"),
        ("left-to-right 2+3 x", "bad size"),
        ("bidirectional 0 x", "bad size"),
        ("bidirectional 40 x", "bad size"),
        ("left-to-right", "needs a size"),
    ],
)
def test_mask_mistakes_record_the_line(line: str, expected: str) -> None:
    env: dict[str, Any] = {}
    markdown = "前言\n\n" + fence("attention-mask", f"caption: c\nbidirectional 2 ok\n{line}")
    html = render(markdown, env)
    (problem,) = env["problems"]
    assert expected in problem["message"]
    assert problem["line"] == markdown.split("\n").index(line)
    assert "diagram-error" in html


def test_mask_without_caption_or_panels_is_a_problem() -> None:
    env: dict[str, Any] = {}
    render(fence("attention-mask", "bidirectional 2 b"), env)
    render("```attention-mask\ncaption: c\n```\n", env)
    assert [p["line"] for p in env["problems"]] == [0, 0]
    assert "no caption" in env["problems"][0]["message"] and "no panels" in env["problems"][1]["message"]


def test_mask_escapes_titles_and_caption() -> None:
    html = render(fence("attention-mask", "caption: <c>\nbidirectional 2 <t>"))
    assert "<c>" not in html and "<t>" not in html and "&lt;t&gt;" in html


# ---- text helpers -------------------------------------------------------------------------------------


def test_text_width_counts_wide_characters_as_one_em() -> None:
    assert text_width("中文") == 28
    assert text_width("ab") == pytest.approx(2 * 0.6 * 14)
    assert text_width("ＡＢ") == 28  # fullwidth


def test_wrap_keeps_words_whole_and_punctuation_off_line_starts() -> None:
    lines = wrap_text("Scaling laws for neural language models", 14 * 14)
    assert " ".join(lines) == "Scaling laws for neural language models"
    assert all(text_width(line) <= 14 * 14 for line in lines)
    cjk = wrap_text("一二三四五六七八九十一二三四，五六", 14 * 14)
    assert not any(line.startswith("，") for line in cjk)
    assert wrap_text("短", 100) == ["短"]
