"""The offline planner: a plain-English question to SQL, deterministically, with no network.

One module per job: `lexicon` (the English words), `text` (tokens and the vocabulary),
`interpret` (a question to a `QuerySpec`), `followup` (a follow-up merged into the previous
turn's spec), `compile` (a spec to SQL). This module ties them together.

It reads its whole vocabulary from the semantic model (synonyms of measures, facts,
dimensions, values and flags) plus the values found in the warehouse (states, cities,
categories, campaigns), and works in steps:

1. pull out what has a fixed shape: a customer id, "named ...", a time range (resolved
   against the as-of date, see `timerange`), comparisons ("over $10k", "older than 60"),
   "top 5";
2. match the remaining words to the vocabulary, longest phrase first;
3. decide what the question asks for: an aggregate (measures, optionally grouped by
   dimensions or a time grain), a list of customers or a list of transactions; which
   filters apply; the order and the limit;
4. write one SQL query from the semantic model's expressions.

Every content word has to be understood. A word it does not know, a number it cannot place
or a combination it cannot express (a customer measure over a time range, say) gives a
`Clarification` with close suggestions instead of a query: no guessing.
"""

import difflib
from datetime import date

from c360.assistant import timerange
from c360.assistant.limits import MAX_QUESTION_CHARS
from c360.assistant.planner import followup
from c360.assistant.planner.compile import compile_spec
from c360.assistant.planner.interpret import _Interpretation
from c360.assistant.planner.lexicon import MAX_ANSWER_ROWS
from c360.assistant.planner.spec import Clarification, Output, Plan, PlanningError, QuerySpec
from c360.assistant.planner.text import Vocabulary, normalize, tokenize
from c360.assistant.semantic import SemanticModel

__all__ = [
    "MAX_ANSWER_ROWS",
    "Clarification",
    "Output",
    "Plan",
    "Planner",
    "PlanningError",
    "QuerySpec",
    "normalize",
    "tokenize",
]


class Planner:
    """Plans questions against one warehouse (its as-of date and its values)."""

    def __init__(
        self,
        model: SemanticModel,
        as_of: date,
        data_values: dict[str, list[str]] | None = None,
    ):
        self.model = model
        self.as_of = as_of
        self.data_values = data_values or {}
        self.vocab = Vocabulary.build(model, self.data_values)
        self.value_counts = {
            d.name: len(set(d.values) | set(self.data_values.get(d.name, [])))
            for d in model.dimensions
        }

    # -- entry point --

    def plan(self, question: str, previous: QuerySpec | None = None) -> Plan | Clarification:
        """The plan for `question`; with `previous` (the last turn's spec), a follow-up such
        as "and for Texas?" changes that spec instead of starting over."""
        text = " ".join(str(question).split())
        if not text:
            return Clarification(question, "Ask a question about the portfolio.", self.examples())
        if len(text) > MAX_QUESTION_CHARS:
            return Clarification(
                question[:MAX_QUESTION_CHARS],
                f"That question is longer than {MAX_QUESTION_CHARS:,} characters; "
                "ask one thing at a time.",
                self.examples(),
            )
        try:
            spec = followup.plan_followup(self, previous, text) if previous else None
            if spec is None:
                spec = _Interpretation(self, text).understand()
            return compile_spec(self, spec)
        except PlanningError as exc:
            return Clarification(text, str(exc), exc.suggestions or self.examples(text))
        except timerange.TimeError as exc:
            return Clarification(text, f"{exc}.", self.examples(text))

    def examples(self, question: str = "") -> list[str]:
        """Up to three verified questions, closest to `question` first."""
        questions = [q.question for q in self.model.verified_queries]
        if not question:
            return questions[:3]
        scored = sorted(
            questions,
            key=lambda q: -difflib.SequenceMatcher(None, normalize(question), normalize(q)).ratio(),
        )
        return scored[:3]
