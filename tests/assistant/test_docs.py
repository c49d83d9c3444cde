"""docs/assistant.md's reference section is generated from the semantic model."""

from c360.assistant import docs


def test_the_reference_in_the_docs_is_up_to_date(model):
    text = docs.DOC_PATH.read_text(encoding="utf-8")
    assert docs.render_reference(model) in text, "run: python -m c360.assistant.docs"


def test_the_reference_covers_every_part_of_the_model(model):
    text = docs.render_reference(model)
    for table in model.tables:
        assert table.qualified in text
    for item in (*model.dimensions, *model.measures, *model.facts, *model.flags):
        assert f"| {item.name} |" in text
    for vq in model.verified_queries:
        assert vq.question in text and vq.sql in text
