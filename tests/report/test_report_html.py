"""HTML memo: self-contained, autoescaped, same words as the Markdown memo, a dependency-path diagram per blocking finding."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from vlicense.errors import UsageError
from vlicense.model import AuditResult, Component, Location
from vlicense.report import diagram, html, render


class _Collector(HTMLParser):
    """Tags with their attributes, and the text outside <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.text.append(data)


def parse(text: str) -> _Collector:
    parser = _Collector()
    parser.feed(text)
    return parser


def test_self_contained_with_strict_csp(result: AuditResult) -> None:
    text = render("html", result)
    assert text.startswith("<!DOCTYPE html>")
    doc = parse(text)
    names = [t for t, _ in doc.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names and "img" not in names
    csp = [a for t, a in doc.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0]["content"] == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    # No attribute may point anywhere outside the document (the SVG marker reference is a local #fragment).
    for tag, attrs in doc.tags:
        for key in ("src", "href", "xlink:href", "action", "srcset"):
            assert key not in attrs, (tag, attrs)
        for value in attrs.values():
            assert not re.match(r"\s*(https?:|//|file:)", value or ""), (tag, attrs)
    assert "url(" not in text.replace("url(#path-", "")  # no CSS url() except the SVG markers


def test_verdict_first_and_header(result: AuditResult) -> None:
    text = render("html", result)
    doc = parse(text)
    h2 = [t for t, _ in doc.tags if t in ("h2",)]
    assert h2  # sections exist
    assert text.index('id="verdict"') < text.index('id="blocking"') < text.index('id="warnings"')
    assert text.index('id="warnings"') < text.index('id="inventory"') < text.index('id="method"')
    assert "<h2>Verdict: FAIL</h2>" in text
    for field in ("To", "From", "Date", "Re"):
        assert f"<dt>{field}</dt>" in text
    assert '<time datetime="2026-11-29">2026-11-29</time>' in text
    assert "<code>closed-source-saas</code>" in text


def test_same_words_as_markdown(result: AuditResult) -> None:
    """Both memos come from the same macros: the summary sentence reads the same once markup is removed."""
    md = render("memo", result)
    md_summary = md.splitlines()[md.splitlines().index("## Verdict: FAIL") + 2].replace("`", "")
    doc = parse(render("html", result))
    text = " ".join("".join(doc.text).split())
    assert md_summary in text
    for f in result.findings:
        if f.severity == "error":
            assert " ".join(f.message.split()) in text
            assert " ".join(f.recommendation.split()) in text


def test_blocking_findings_have_everything(result: AuditResult) -> None:
    text = render("html", result)
    articles = re.findall(r'<article class="finding" id="finding-(\d+)">(.*?)</article>', text, re.DOTALL)
    assert [n for n, _ in articles] == ["1", "2", "3"]
    for _, body in articles:
        for label in ("Constraint", "License terms", "Where it enters", "Alternatives", "Commercial route", "Recommendation"):
            assert f"<dt>{label}</dt>" in body
        assert len(re.findall(r"<tr><td><code>", body)) >= 2  # at least two concrete alternatives
        assert body.count("<svg") == 1
    model = next(b for _, b in articles if "<code>ultralytics:yolo11n.pt</code> <span" in b)
    assert "AGPL-3.0 section 13 (Remote Network Interaction)" in model
    assert "<code>app/detect.py:7</code>: <code>model = YOLO(&#34;yolo11n.pt&#34;)</code>" in model


def _svg_labels(body: str) -> list[str]:
    return re.findall(r"<text [^>]*>([^<]*)</text>", body)


def test_diagram_for_library_and_model(result: AuditResult) -> None:
    text = render("html", result)
    articles = dict(re.findall(r'<article class="finding" id="finding-\d+">\s*<h3>.*?<code>([^<]+)</code>(.*?)</article>', text, re.DOTALL))
    lib = _svg_labels(articles["pypi:ultralytics"])
    # A direct library enters through the files that declare and import it.
    assert lib == ["demo_app", "requirements.txt:2", "app/detect.py:1", "pypi:ultralytics"]
    model = _svg_labels(articles["ultralytics:yolo11n.pt"])
    assert model == ["demo_app", "app/detect.py:7", "ultralytics:yolo11n.pt"]
    nb = _svg_labels(articles["timm:convnextv2_tiny.fcmae_ft_in22k_in1k"])
    assert nb[1] == "notebooks/explore.ipynb:12 (cell 3)"
    # The blocked component is the one highlighted node; edges end in the arrow marker of their own diagram.
    assert articles["pypi:ultralytics"].count('class="node target"') == 1
    assert 'marker-end="url(#path-1-arrow)"' in text and 'id="path-1-arrow"' in text
    ids = re.findall(r' id="([^"]+)"', text)
    assert len(ids) == len(set(ids))  # several diagrams on one page never share an id


def test_transitive_library_diagram_follows_dependency_paths() -> None:
    comp = Component(
        id="pypi:pillow",
        kind="library",
        name="pillow",
        direct=False,
        introduced_by=[["<project>", "torchvision", "pillow"], ["<project>", "ultralytics", "pillow"]],
    )
    d = diagram.layout(comp, "app", "x")
    labels = [(n.kind, n.text) for n in d.nodes]
    assert labels == [("project", "app"), ("package", "torchvision"), ("package", "ultralytics"), ("target", "pypi:pillow")]
    assert len(d.edges) == 4  # app -> torchvision, app -> ultralytics, each -> pillow
    # The project node sits between its two children; the target lines up with them too.
    project, tv, ul, target = d.nodes
    assert tv.y < project.y < ul.y and target.y == project.y
    assert tv.x == ul.x > project.x + project.width and target.x > tv.x + tv.width
    assert d.width >= target.x + target.width and d.height >= ul.y + ul.height
    assert "app → torchvision → pypi:pillow" in d.label


def test_diagram_caps_paths_and_truncates_labels() -> None:
    comp = Component(
        id="pypi:six",
        kind="library",
        name="six",
        direct=False,
        introduced_by=[["<project>", f"wrapper-{i:02d}-" + "x" * 60, "six"] for i in range(9)],
    )
    d = diagram.layout(comp, "app", "y")
    assert d.hidden == 9 - diagram.MAX_CHAINS
    packages = [n for n in d.nodes if n.kind == "package"]
    assert len(packages) == diagram.MAX_CHAINS
    assert all(len(n.text) == diagram.MAX_LABEL and n.text.endswith("…") and n.full.startswith(n.text[:-1]) for n in packages)


def test_component_without_location_is_drawn_from_the_project() -> None:
    comp = Component(id="hf:org/model", kind="model", name="org/model")
    d = diagram.layout(comp, "app", "z")
    assert [n.text for n in d.nodes] == ["app", "hf:org/model"] and len(d.edges) == 1


def test_hostile_values_are_escaped(make_result) -> None:  # type: ignore[no-untyped-def]
    comp = Component(
        id="file:<script>alert(1)</script>.pt",
        kind="model",
        name="<script>alert(1)</script>.pt",
        license="CC-BY-NC-4.0",
        locations=[Location('app/"><img src=x onerror=alert(1)>.py', 3, snippet="load('</svg><script>x</script>')")],
    )
    text = render("html", make_result(comps=[comp]))
    assert "<script" not in text and "<img" not in text and "</svg><script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    doc = parse(text)
    assert "script" not in [t for t, _ in doc.tags]


def test_pass_memo_html(make_result) -> None:  # type: ignore[no-untyped-def]
    text = render("html", make_result(comps=[]))
    assert 'class="verdict verdict-pass"' in text and "No blocking findings or warnings" in text
    assert 'id="blocking"' not in text and "<svg" not in text


def test_template_dir_overrides_html_and_shared_macros(result: AuditResult, tmp_path: Path) -> None:
    (tmp_path / "memo.html.j2").write_text("<p>{{ r.verdict }} {{ blocking | length }} {{ '<b>' }}</p>\n", encoding="utf-8")
    assert render("html", result, template_dir=tmp_path) == "<p>fail 3 &lt;b&gt;</p>\n"  # user templates autoescape too
    # Overriding only the shared macros changes the words of both memos: the structure is not duplicated.
    other = tmp_path / "words"
    other.mkdir()
    macros = (Path(__file__).resolve().parents[2] / "templates" / "_memo_macros.j2").read_text(encoding="utf-8")
    (other / "_memo_macros.j2").write_text(macros.replace("Do not release as is", "STOP SHIP"), encoding="utf-8")
    assert "STOP SHIP: the project fails" in render("html", result, template_dir=other)
    assert "STOP SHIP: the project fails" in render("memo", result, template_dir=other)
    assert "STOP SHIP" not in render("html", result)


def test_template_dir_must_exist(result: AuditResult, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="template directory"):
        render("html", result, template_dir=tmp_path / "missing")
    # Machine formats do not use templates: the option is accepted and has no effect on them.
    assert render("json", result, template_dir=tmp_path) == render("json", result)


def test_context_counts(result: AuditResult) -> None:
    ctx = html.context(result)
    assert ctx["counts"] == {"libraries": 4, "models": 2, "errors": 3, "warnings": 1, "infos": 1}
    assert all(b["diagram"] is not None for b in ctx["blocking"])
