"""The semantic model reference in docs/assistant.md, generated from semantic_model.yml.

    .venv/bin/python -m c360.assistant.docs          # rewrite the generated section
    .venv/bin/python -m c360.assistant.docs --check  # exit 1 if it is out of date

A test runs the check, so the docs cannot drift from the model.
"""

import sys
from pathlib import Path

from c360.assistant.semantic import SemanticModel, load

BEGIN = "<!-- BEGIN GENERATED: semantic model reference (python -m c360.assistant.docs) -->"
END = "<!-- END GENERATED -->"
DOC_PATH = Path(__file__).parents[3] / "docs" / "assistant.md"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _list(items, n: int = 8) -> str:
    items = list(items)
    shown = ", ".join(_cell(i) for i in items[:n])
    return shown + (f", … (+{len(items) - n})" if len(items) > n else "")


def render_reference(model: SemanticModel) -> str:
    """Markdown tables for every part of the semantic model."""
    out = [BEGIN, "", f"Model `{model.name}`: {model.description}", ""]
    out += ["### Conventions", ""]
    out += [f"- **{name}**: {text}" for name, text in model.conventions.items()]
    out += ["", "### Tables the guard allows", "", "| table | alias | columns |", "|---|---|---|"]
    for t in model.tables:
        out.append(f"| `{t.qualified}` | `{t.alias}` | {_list(t.column_names(), 100)} |")
    out += ["", "### Relationships", "", "| from | to | kind |", "|---|---|---|"]
    out += [f"| `{r['from']}` | `{r['to']}` | {r.get('kind', '')} |" for r in model.relationships]
    out += [
        "",
        "### Dimensions",
        "",
        "| name | expression | synonyms | values |",
        "|---|---|---|---|",
    ]
    for d in model.dimensions:
        values = "from the data" if d.values_from_data else _list(d.values, 10)
        if d.values_from_data and d.sample_values:
            values += f" (e.g. {_list(d.sample_values, 4)})"
        out.append(f"| {d.name} | `{_cell(d.expr)}` | {_list(d.synonyms)} | {values} |")
    out += ["", "### Time dimensions", "", "| name | expression | grains |", "|---|---|---|"]
    for td in model.time_dimensions:
        grains = ", ".join(f"{g.name} (`{_cell(g.expr)}`)" for g in td.grains.values())
        out.append(f"| {td.name} | `{td.expr}` | {grains} |")
    out += [
        "",
        "### Measures",
        "",
        "| name | expression | filter | synonyms |",
        "|---|---|---|---|",
    ]
    for m in model.measures:
        where = f"`{_cell(m.where)}`" if m.where else ""
        out.append(f"| {m.name} | `{_cell(m.expr)}` | {where} | {_list(m.synonyms)} |")
    out += ["", "### Customer facts", "", "| name | expression | default | synonyms |"]
    out += ["|---|---|---|---|"]
    for f in model.facts:
        out.append(f"| {f.name} | `{f.expr}` | {f.default_agg} | {_list(f.synonyms)} |")
    out += ["", "### Flags", "", "| name | condition | synonyms |", "|---|---|---|"]
    out += [f"| {f.name} | `{f.expr}` | {_list(f.synonyms)} |" for f in model.flags]
    out += ["", "### Rollups", ""]
    for r in model.rollups:
        out += [
            f"`{r.source}` answers {', '.join(r.measures)} by {', '.join(r.grains)} and "
            "customer attributes, and spend in one category group, when the time range "
            f"covers whole months (time column `{r.time_column}`).",
            "",
            "| measure | expression on the rollup |",
            "|---|---|",
        ]
        out += [f"| {name} | `{_cell(expr)}` |" for name, expr in r.measures.items()]
    out += ["", "### Suggested questions", ""]
    for theme, questions in model.suggested_questions.items():
        out.append(f"- **{theme}**: " + "; ".join(questions))
    out += ["", "### Verified queries", ""]
    for vq in model.verified_queries:
        out += [f"**{vq.question}**", "", "```sql", vq.sql, "```", ""]
    out.append(END)
    return "\n".join(out)


def updated(text: str, model: SemanticModel) -> str:
    """`text` with its generated section replaced."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError("docs/assistant.md has no generated-section markers")
    return text[:start] + render_reference(model) + text[end + len(END) :]


def main(argv: list[str]) -> int:
    text = DOC_PATH.read_text(encoding="utf-8")
    new = updated(text, load())
    if "--check" in argv:
        if new != text:
            print(f"{DOC_PATH} is out of date: run python -m c360.assistant.docs")
            return 1
        return 0
    DOC_PATH.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
