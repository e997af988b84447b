"""Jinja2 environments for the memo: one per markup (Markdown, HTML), user templates searched before the bundled ones."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from vlicense import resources
from vlicense.model import Location

MarkupKind = Literal["markdown", "html"]


def where(loc: Location) -> str:
    """``path:line`` (and the notebook cell when there is one)."""
    text = f"{loc.path}:{loc.line}" if loc.line else loc.path
    if loc.cell is not None:
        text += f" (cell {loc.cell}, line {loc.cell_line})"
    return text


def md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    text = "" if value is None else str(value)
    return " ".join(text.split()).replace("|", "\\|")


def md_code(value: object) -> str:
    """Markdown inline code that survives backticks inside the value."""
    text = " ".join(("" if value is None else str(value)).split())
    if not text:
        return ""
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def html_code(value: object) -> Markup:
    """HTML inline code; the value is escaped (scanned files supply snippets and paths)."""
    text = " ".join(("" if value is None else str(value)).split())
    return Markup("<code>{}</code>").format(text) if text else Markup("")


def html_strong(value: object) -> Markup:
    return Markup("<strong>{}</strong>").format("" if value is None else value)


def md_strong(value: object) -> str:
    text = "" if value is None else str(value)
    return f"**{text}**" if text else ""


def html_cell(value: object) -> Markup:
    """Table cells need no escaping beyond HTML autoescape; kept so shared macros can call ``cell`` in both markups."""
    return escape("" if value is None else value)


def environment(markup: MarkupKind = "markdown", template_dir: Path | None = None) -> Environment:
    """Environment over the bundled templates with ``template_dir`` searched first.

    Both markups share the same template partials (``_memo_macros.j2``); only the formatting filters differ
    (``code``, ``strong``, ``cell``), so the words of the memo live in one place. HTML autoescapes everything.
    """
    loaders = [FileSystemLoader(str(template_dir))] if template_dir else []
    loaders.append(FileSystemLoader(str(resources.templates_dir())))
    html = markup == "html"
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=html,  # Markdown is not HTML: its table cells are escaped by the `cell` filter instead
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["where"] = where
    env.filters["code"] = html_code if html else md_code
    env.filters["strong"] = html_strong if html else md_strong
    env.filters["cell"] = html_cell if html else md_cell
    env.globals["markup"] = markup
    return env
