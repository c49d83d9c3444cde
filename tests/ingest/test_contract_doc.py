"""docs/data_contract.md is rendered from the contract module and must not drift from it."""

from pathlib import Path

from c360.contracts.bronze import CONTRACT, DATASETS, render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "data_contract.md"


def test_data_contract_doc_is_current():
    assert DOC.read_text() == render_markdown(), (
        "docs/data_contract.md is out of date: run "
        "`python -m c360.contracts.bronze > docs/data_contract.md`"
    )


def test_doc_names_every_dataset_and_column():
    text = render_markdown()
    for dataset in CONTRACT:
        assert f"## `{dataset.name}`" in text
        for column in dataset.columns:
            assert f"| `{column.name}` |" in text


def test_only_transactions_is_required_and_its_minimum_is_id_time_amount():
    required = [d.name for d in CONTRACT if d.required]
    assert required == ["transactions"]
    tx = next(d for d in CONTRACT if d.name == "transactions")
    assert [c.name for c in tx.columns if c.required] == [
        "customer_id",
        "transaction_ts",
        "amount",
    ]
    assert set(DATASETS) == {d.name for d in CONTRACT}
