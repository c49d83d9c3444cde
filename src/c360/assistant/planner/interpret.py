"""A question to its meaning: a `QuerySpec`.

Steps (the module docstring of `c360.assistant.planner` has the overview):

1. pull out what has a fixed shape: a customer id, "named ...", a spend change or trend, a
   time range (resolved against the as-of date, see `timerange`), comparisons ("over
   $10k", "older than 60"), "top 5";
2. match the remaining words to the vocabulary, longest phrase first; every content word
   has to be understood;
3. decide what the question asks for: an aggregate (measures, optionally grouped by
   dimensions or a time grain), a list of customers or a list of transactions; which
   filters apply; the order and the limit.

A follow-up ("and for Texas?") is read with the same steps 1-2 into a `Fragment`: the parts
it names, which `followup.merge` applies to the previous turn's spec.
"""

import difflib
import itertools
import re
from dataclasses import dataclass

from c360.assistant import timerange
from c360.assistant.planner.compile import time_dimension
from c360.assistant.planner.lexicon import (
    AGG_WORDS,
    AMBIGUOUS_CODES,
    ANAPHORA,
    ASC_WORDS,
    COUNT_CUES,
    CUSTOMER_WORDS,
    DESC_WORDS,
    FOLLOWUP_STARTS,
    FOLLOWUP_WORDS,
    GRAMMAR,
    LIST_VERBS,
    MANY_VALUES,
    MAX_ANSWER_ROWS,
    NEGATIONS,
    SHARE_CUES,
    SINGULAR_VERBS,
    TRANSACTION_WORDS,
)
from c360.assistant.planner.spec import Filter, Group, Metric, PlanningError, QuerySpec
from c360.assistant.planner.sqlparts import lit, time_clause
from c360.assistant.planner.text import Token, fmt_number, normalize, num, tokenize
from c360.assistant.semantic import Dimension, Fact, Measure


@dataclass
class Parts:
    """What a question's matched words name (before deciding what it asks for)."""

    measures: list[Metric]
    facts: list[tuple[int, Fact, str | None]]
    groups: list[Group]
    values: dict[str, list[tuple[int, str, bool]]]
    grains: list[str]
    timedims: list[str]
    filters: list[Filter]


class _Interpretation:
    """One question being understood (state for the steps in the module docstring)."""

    def __init__(self, planner, text: str):
        self.p = planner
        self.model = planner.model
        self.text = text
        self.filters: list[Filter] = []
        self.time: timerange.TimeRange | None = None
        self.limit: int | None = None
        self.customer_id: str | None = None

    # -- step 1: fixed shapes --

    def _extract_specials(self, text: str) -> str:
        m = re.search(r"\b(CUST\d{4,12})\b", text, flags=re.IGNORECASE)
        if m:
            self.customer_id = m.group(1).upper()
            self.filters.append(
                Filter(
                    f"p.customer_id = {lit(self.customer_id)}",
                    f"customer id is {self.customer_id}",
                    "customer",
                    key="customer_id",
                )
            )
            text = text[: m.start()] + " " + text[m.end() :]
        m = re.search(
            r"\b(?:named|called|name\s+is|name\s+contains|whose\s+name\s+is)\s+"
            r"(?P<q>[\"'])?(?P<name>(?(q).+?|[A-Za-z][\w.\-']*(?:\s+[A-Z][\w.\-']*)*))(?(q)(?P=q))",
            text,
        )
        if m:
            name = m.group("name").strip()
            if not name or len(name) > 60:
                raise PlanningError("Give a name of at most 60 characters to search for.")
            self.filters.append(
                Filter(
                    f"contains(lower(p.full_name), {lit(name.lower())})",
                    f"name contains {name!r}",
                    "customer",
                    key="name",
                )
            )
            text = text[: m.start()] + " " + text[m.end() :]
        return text

    def _extract_change(self, norm: str) -> str:
        """'spending dropped by more than 50%' -> spend_change_pct <= -50."""
        pattern = re.compile(
            r"\b(?:spend|spending|spent|purchases|sales)\s+(?:has\s+|have\s+|is\s+|was\s+)?"
            r"(?P<dir>dropped|fell|declined|decreased|shrank|went\s+down|down|grew|increased"
            r"|rose|went\s+up|up|jumped)\s+(?:by\s+)?(?P<cmp>more\s+than|over|at\s+least"
            r"|less\s+than|under)?\s*(?P<n>\d+(?:\.\d+)?)\s*%"
        )
        m = pattern.search(norm)
        if not m:
            return self._extract_trend(norm)
        n = float(m["n"])
        down = m["dir"] in ("dropped", "fell", "declined", "decreased", "shrank", "down")
        down = down or m["dir"].startswith("went down")
        less = m["cmp"] is not None and m["cmp"].startswith(("less", "under"))
        fact = self.model.fact("spend_change_pct")
        if down:
            op, value = ("<=", -n) if not less else (">", -n)
        else:
            op, value = (">=", n) if not less else ("<", n)
        if less:
            extra = f" and {fact.expr} {'<' if down else '>'} 0"
            sql = f"{fact.expr} {op} {lit(value)}{extra}"
        else:
            sql = f"{fact.expr} {op} {lit(value)}"
        word = "down" if down else "up"
        text = f"90-day spend {word} {'less than' if less else 'at least'} {num(n)}%"
        self.filters.append(
            Filter(sql, text, "customer", key="fact:spend_change_pct", op=op, values=(value,))
        )
        return norm[: m.start()] + " " * (m.end() - m.start()) + norm[m.end() :]

    def _extract_trend(self, norm: str) -> str:
        """'customers with declining spend (in the last 90 days)' -> last 90 days below the
        90 days before; 'growing spend' -> above. The 90-day window is what the fact means,
        so naming it is not a separate time range."""
        down = r"declining|falling|dropping|decreasing|shrinking|lower|reduced"
        up = r"growing|rising|increasing|higher"
        pattern = re.compile(
            rf"\b(?:(?P<pre>{down}|{up})\s+(?:spend|spending)"
            rf"|(?:spend|spending)\s+(?:is\s+|has\s+|have\s+)?(?P<post>declining|dropping|"
            rf"falling|dropped|fell|declined|decreased|growing|rising|grew|rose|increased))"
            r"(?P<window>\s+(?:in|over|during)\s+the\s+(?:last|past|previous)\s+"
            r"(?:90\s+days|3\s+months|three\s+months|quarter))?"
        )
        m = pattern.search(norm)
        if not m:
            return norm
        word = m["pre"] or m["post"]
        falls = re.fullmatch(down + "|dropped|fell|declined|decreased", word) is not None
        op = "<" if falls else ">"
        self.filters.append(
            Filter(
                f"p.spend_last_90_days {op} p.spend_prior_90_days",
                f"spend in the last 90 days {'below' if falls else 'above'} the 90 days before",
                "customer",
                key="spend_trend",
            )
        )
        return norm[: m.start()] + " " * (m.end() - m.start()) + norm[m.end() :]

    def _monthly_spend(self, norm: str) -> str:
        """'spends the most per month on average' is the average monthly spend fact."""
        if self.time is not None or not re.search(r"\b(average|avg|typical|typically)\b", norm):
            return norm
        m = re.search(
            r"\b(?P<w>spends|spend|spending|spent)\b(?P<mid>.{0,25}?)\b(?:per|a|each)\s+month\b",
            norm,
        )
        if not m:
            return norm
        verb = m["w"] + " " if m["w"] in ("spends", "spent") else ""
        return norm[: m.start()] + f"{verb}{m['mid']} average monthly spend" + norm[m.end() :]

    def _extract_time(self, norm: str) -> str:
        found, spans = timerange.find(norm, self.p.as_of)
        if found:
            self.time = found
            for start, end in spans:
                norm = norm[:start] + " " * (end - start) + norm[end:]
        return norm

    # -- step 2: vocabulary --

    def _match(self, tokens: list[Token]) -> None:
        vocab = self.p.vocab
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.used or tok.kind != "word":
                i += 1
                continue
            matched = False
            for n in range(min(vocab.longest, len(tokens) - i), 0, -1):
                window = tokens[i : i + n]
                if any(t.used or t.kind != "word" for t in window):
                    continue
                key = tuple(t.text for t in window)
                items = vocab.phrases.get(key)
                if items:
                    tok.item = self._choose(items, tokens, i, i + n)
                    tok.kind = "item"
                    tok.phrase = " ".join(key)
                    for t in window[1:]:
                        t.used = True
                        t.kind = "consumed"
                    i += n
                    matched = True
                    break
            if not matched:
                code = tok.text
                if code in vocab.state_codes and (tok.upper or code not in AMBIGUOUS_CODES):
                    tok.item = ("value", "state", code.upper())
                    tok.kind = "item"
                i += 1

    def _choose(self, items: list[tuple], tokens: list[Token], at: int, after: int) -> tuple:
        """One meaning for an ambiguous phrase, from the words around it."""
        if len(items) == 1:
            return items[0]
        following = tokens[after].text if after < len(tokens) else ""
        before = tokens[at - 1].text if at > 0 else ""
        kinds = {item[0]: item for item in items}
        if following in ("city", "town") and any(i[:2] == ("value", "city") for i in items):
            return next(i for i in items if i[:2] == ("value", "city"))
        if "timedim" in kinds and self.time is not None:
            return kinds["timedim"]  # "new customers in 2024": account openings
        value_dims = [i[1] for i in items if i[0] == "value"]
        if len(set(value_dims)) > 1 and set(value_dims) != {"state", "city"}:
            phrase = " ".join(t.text for t in tokens[at:after])
            options = []
            for item in items:
                if item[0] != "value":
                    continue
                dim = self.model.dimension(item[1])
                options.append(f"{dim.label.lower()} {item[2]!r}")
            if phrase == "at risk":
                options.insert(0, "churn risk tier 'High' (say 'high churn risk')")
            raise PlanningError(
                f"{phrase!r} is ambiguous: it can mean "
                + ", ".join(options[:-1])
                + f" or {options[-1]}. Which one?",
                [
                    re.sub(
                        r"(?i)\b" + r"[\s\-]+".join(map(re.escape, phrase.split())) + r"\b",
                        alt,
                        self.text,
                    )
                    for alt in self._disambiguations(phrase, items)
                ][:3],
            )
        if before in AGG_WORDS and "fact" in kinds:
            return kinds["fact"]  # "average age"
        if before in ("by", "per", "each", "every", "across") and "dim" in kinds:
            return kinds["dim"]  # "by age"
        return items[0]

    def _disambiguations(self, phrase: str, items: list[tuple]) -> list[str]:
        """Rewrites of an ambiguous phrase that the planner reads one way each."""
        alternatives = ["high churn risk"] if phrase == "at risk" else []
        for item in items:
            if item[0] != "value":
                continue
            dim = self.model.dimension(item[1])
            for synonym in dim.value_synonyms.get(item[2], ()):
                if normalize(synonym) != phrase and synonym not in alternatives:
                    alternatives.append(synonym)
                    break
        return alternatives

    # -- step 1b: numbers --

    def _numbers(self, tokens: list[Token]) -> list[dict]:
        """Comparisons ('over $10k') and limits ('top 5'); marks their tokens used."""
        words = [t.text for t in tokens]
        comparisons = []
        ops = [
            (("more", "than"), ">"), (("greater", "than"), ">"), (("higher", "than"), ">"),
            (("larger", "than"), ">"), (("bigger", "than"), ">"), (("above",), ">"),
            (("over",), ">"), (("exceeding",), ">"), (("exceeds",), ">"), (("exceed",), ">"),
            (("at", "least"), ">="), (("no", "less", "than"), ">="), (("minimum", "of"), ">="),
            (("less", "than"), "<"), (("fewer", "than"), "<"), (("lower", "than"), "<"),
            (("smaller", "than"), "<"), (("under",), "<"), (("below",), "<"),
            (("at", "most"), "<="), (("no", "more", "than"), "<="), (("up", "to"), "<="),
            (("maximum", "of"), "<="), ((">=",), ">="), ((">",), ">"), (("<=",), "<="),
            (("<",), "<"), (("=",), "="), (("equal", "to"), "="), (("exactly",), "="),
            (("older", "than"), ">"), (("younger", "than"), "<"),
        ]  # fmt: skip
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            # top N / bottom N / first N
            if tok.text in ("top", "bottom", "first", "best", "worst") and i + 1 < len(tokens):
                nxt = tokens[i + 1]
                whole = nxt.kind == "number" and nxt.value and float(nxt.value).is_integer()
                if whole and not nxt.percent and nxt.value > 0:
                    self.limit = min(int(nxt.value), MAX_ANSWER_ROWS)  # the guard's cap
                    nxt.used = True
                    nxt.kind = "consumed"
                    i += 2
                    continue
            # between N and M
            if tok.text == "between" and i + 3 < len(tokens):
                a, conj, b = tokens[i + 1], tokens[i + 2], tokens[i + 3]
                if a.kind == "number" and conj.text in ("and", "to") and b.kind == "number":
                    comparisons.append(
                        {"op": "between", "values": (a.value, b.value), "at": i, "tok": a}
                    )
                    for t in (tok, a, conj, b):
                        t.used, t.kind = True, "consumed"
                    i += 4
                    continue
            # aged N to M / ages N-M
            if tok.text in ("aged", "ages", "age") and i + 3 < len(tokens):
                a, conj, b = tokens[i + 1], tokens[i + 2], tokens[i + 3]
                if a.kind == "number" and conj.text in ("to", "and") and b.kind == "number":
                    comparisons.append(
                        {"op": "between", "values": (a.value, b.value), "at": i, "tok": a,
                         "fact": "age"}
                    )  # fmt: skip
                    for t in (tok, a, conj, b):
                        t.used, t.kind = True, "consumed"
                    i += 4
                    continue
            for phrase, op in ops:
                n = len(phrase)
                if tuple(words[i : i + n]) == phrase and i + n < len(tokens):
                    num = tokens[i + n]
                    if num.kind != "number":
                        continue
                    entry = {"op": op, "values": (num.value,), "at": i, "tok": num}
                    if phrase in (("older", "than"), ("younger", "than")):
                        entry["fact"] = "age"
                    comparisons.append(entry)
                    for t in tokens[i : i + n + 1]:
                        t.used, t.kind = True, "consumed"
                    i += n + 1
                    break
            else:
                # N or more / N+ / N or less
                if tok.kind == "number" and i + 2 < len(tokens) and words[i + 1] == "or":
                    if words[i + 2] in ("more", "above", "over", "higher"):
                        op = ">="
                    elif words[i + 2] in ("less", "fewer", "below", "under", "lower"):
                        op = "<="
                    else:
                        op = None
                    if op:
                        comparisons.append({"op": op, "values": (tok.value,), "at": i, "tok": tok})
                        for t in tokens[i : i + 3]:
                            t.used, t.kind = True, "consumed"
                        i += 3
                        continue
                i += 1
        # "5 customers", "10 states", "3 highest"
        for i, tok in enumerate(tokens):
            if tok.kind != "number" or tok.used or tok.percent or tok.money:
                continue
            nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
            small = bool(tok.value) and tok.value.is_integer() and 0 < tok.value <= 1000
            if small and (
                nxt in CUSTOMER_WORDS | TRANSACTION_WORDS | DESC_WORDS | ASC_WORDS
                or self._is_dimension_word(nxt)
                or (i > 0 and tokens[i - 1].text in ("the", "show", "list", "give"))
            ):
                self.limit = int(tok.value)
                tok.used, tok.kind = True, "consumed"
        return comparisons

    def _is_dimension_word(self, word: str) -> bool:
        items = self.p.vocab.phrases.get((word,), [])
        return any(i[0] == "dim" for i in items) or word in ("categories", "merchants")

    # -- step 3: meaning --

    def understand(self) -> QuerySpec:
        """The question's meaning; PlanningError when part of it cannot be placed."""
        tokens, comparisons = self._read()
        return self._interpret(tokens, comparisons)

    def _read(self, extra_grammar: frozenset[str] = frozenset()) -> tuple[list[Token], list]:
        """Steps 1 and 2: fixed shapes pulled out, the rest matched to the vocabulary."""
        original_words = set(re.findall(r"\b[A-Z]{2}\b", self.text))
        text = self._extract_specials(self.text)
        norm = normalize(text)
        norm = self._extract_change(norm)
        norm = self._extract_time(norm)
        norm = self._monthly_spend(norm)
        tokens = tokenize(norm, original_words)
        if not tokens and not self.filters and self.time is None:
            raise PlanningError("Ask a question about the portfolio in words.")
        for t in tokens:  # tokenize lowercases; restore the capitals flag for codes
            t.upper = t.text.upper() in original_words
        self.tokens = tokens
        comparisons = self._numbers(tokens)
        self._match(tokens)
        self._check_unknown(tokens, extra_grammar)
        return tokens, comparisons

    def _check_unknown(self, tokens: list[Token], extra_grammar: frozenset[str]) -> None:
        """Every word must be understood: part of a matched phrase or a grammar word."""
        grammar = GRAMMAR | extra_grammar
        unknown = [t for t in tokens if t.kind == "word" and t.text not in grammar]
        numbers = [t for t in tokens if t.kind == "number" and not t.used]
        if unknown:
            words = [t.text for t in unknown]
            fixes = {}
            for w in words:
                close = difflib.get_close_matches(w, sorted(self.p.vocab.words), n=1, cutoff=0.8)
                if close and close[0] != w:
                    fixes[w] = close[0]
            quoted = ", ".join(repr(w) for w in words[:5])
            verb = "means" if len(words) == 1 else "mean"
            message = f"I don't know what {quoted} {verb} here."
            phrases = self._phrases_with(words)
            if phrases:  # the words are known, only not in this order
                shown = " or ".join(repr(p) for p in phrases)
                message = f"I know {quoted} only as part of a phrase such as {shown}."
                suggestions = [*phrases, *self.p.examples(self.text)][:3]
                raise PlanningError(message, suggestions)
            suggestions = []
            close_terms = ", ".join(repr(v) for v in dict.fromkeys(fixes.values()))
            if fixes and len(fixes) == len(set(words)):
                message += f" Did you mean {close_terms}?"
                suggestions.append(self._rewrite_with(fixes))
            elif fixes:
                message += f" Close terms: {close_terms}."
            raise PlanningError(message, [*suggestions, *self.p.examples(self.text)][:3])
        if numbers:
            shown = ", ".join(fmt_number(t) for t in numbers[:3])
            raise PlanningError(
                f"I can't tell what {shown} refers to. Say which measure it limits, e.g. "
                "'lifetime value over 10000' or 'top 5 states'."
            )

    def _phrases_with(self, words: list[str]) -> list[str]:
        """Up to two of the shortest known phrases that contain every one of `words`."""
        wanted = set(words)
        if not wanted <= self.p.vocab.words:
            return []
        found = sorted(
            (" ".join(k) for k in self.p.vocab.phrases if wanted <= set(k)),
            key=lambda phrase: (len(phrase), phrase),
        )
        return found[:2]

    def _rewrite_with(self, fixes: dict[str, str]) -> str:
        out = self.text
        for wrong, right in fixes.items():

            def fix(m: re.Match, right: str = right) -> str:
                return right.capitalize() if m.group(0)[:1].isupper() else right

            out = re.sub(rf"(?i)\b{re.escape(wrong)}\b", fix, out)
        return out

    def _interpret(self, tokens: list[Token], comparisons: list[dict]) -> QuerySpec:
        words = [t.text for t in tokens]
        has = set(words)

        direction = _direction(tokens)
        agg_at = {i: AGG_WORDS[w] for i, w in enumerate(words) if w in AGG_WORDS}
        count_cue = _count_cue(words)

        parts = self._parts(tokens, comparisons, agg_at)
        self.filters.extend(parts.filters)
        measures, facts, groups = parts.measures, parts.facts, parts.groups
        values, grains, timedims = parts.values, parts.grains, parts.timedims

        # facts: aggregated, or list columns
        list_columns: list[str] = []
        sort_fact: Fact | None = None
        for _, fact, agg in facts:
            if agg is None and (direction or self._list_intent(words)) and not groups:
                sort_fact = sort_fact or fact
                list_columns.append(fact.expr)
                continue
            measures.append(self._fact_metric(fact, agg or fact.default_agg))

        # "how many", counting what?
        if count_cue and not any(m.format == "count" for m in measures) and not agg_at:
            first_tx = next((i for i, w in enumerate(words) if w in TRANSACTION_WORDS), None)
            first_cu = next((i for i, w in enumerate(words) if w in CUSTOMER_WORDS), None)
            tx_first = first_tx is not None and (first_cu is None or first_tx < first_cu)
            base = "transactions" if tx_first else "customers"
            measures.insert(0, self._metric(self.model.measure(base)))
        elif count_cue:
            counts = [m for m in measures if m.format == "count"]
            if len(counts) > 1 and any(m.alias == "customers" for m in counts):
                measures = [m for m in measures if m.alias != "customers"]

        # "how many customers (were active|bought...) last month": customers with a purchase
        activity = {"active", "purchased", "bought", "shopped", "transacted", "spent", "purchase"}
        activity |= {"purchasing", "buying", "shopping", "transacting", "used", "using"}
        if (
            self.time is not None
            and "account_open_date" not in timedims
            and any(m.alias == "customers" for m in measures)
            and (has & activity or has & TRANSACTION_WORDS)
        ):
            measures = [m for m in measures if m.alias != "customers"]
            if not any(m.alias == "active_customers" for m in measures):
                measures.insert(0, self._metric(self.model.measure("active_customers")))
            values.pop("recency_status", None)
            self.filters = [f for f in self.filters if f.dim != "recency_status"]

        # "active customers" without a time range is the recency status, not a count
        if any(m.alias == "active_customers" for m in measures) and self.time is None:
            measures = [m for m in measures if m.alias != "active_customers"]
            dim = self.model.dimension("recency_status")
            self.filters.append(self._in_filter(dim, ["Active"], False))
            if not any(m.format == "count" for m in measures):
                measures.insert(0, self._metric(self.model.measure("customers")))

        if self._ranks_customers(has, groups, measures, count_cue, direction, grains):
            groups += self._customer_groups()

        time_dim = time_dimension(self, timedims, measures, groups, grains)
        transaction = (
            time_dim == "transaction_time"
            or any(m.entity == "transaction" for m in measures)
            or any(g.entity == "transaction" for g in groups)
            or any(f.entity == "transaction" for f in self.filters)
        )
        grouped = groups + [None] * len(grains)  # time grains group too
        is_list = self._is_list(words, measures, grouped, count_cue, agg_at, direction)
        if is_list:
            # measures with a customer column sort a customer list ("highest churn risk")
            for m in measures:
                if m.column and sort_fact is None:
                    sort_fact = self.model.fact(m.column)
            leftovers = [m for m in measures if not m.column]
            if leftovers:
                is_list = False
            else:
                measures = []
        if transaction and is_list and not (has & TRANSACTION_WORDS):
            is_list = False
            measures = [m for m in measures if m.entity == "transaction"]

        spec = QuerySpec(
            question=self.text,
            kind="aggregate",
            groups=groups,
            grains=list(dict.fromkeys(grains)),
            timedims=timedims,
            filters=list(self.filters),
            time=self.time,
            direction=direction,
            limit=self.limit,
            singular=self._singular(),
            sort_only=any(
                a in DESC_WORDS | ASC_WORDS and b == "first" for a, b in itertools.pairwise(words)
            ),
            list_columns=list_columns,
            recent=bool(has & {"recent", "latest", "newest", "last"}),
        )
        if is_list:
            transactions = has & TRANSACTION_WORDS and (transaction or direction)
            spec.kind = "transactions" if transactions else "customers"
            spec.sort_fact = sort_fact.name if sort_fact is not None else None
            return spec

        if not measures:
            if transaction and "avg" in agg_at.values():
                measures = [self._metric(self.model.measure("avg_transaction_amount"))]
            elif transaction and has & TRANSACTION_WORDS:
                measures = [self._metric(self.model.measure("transactions"))]
            elif transaction:
                measures = [self._metric(self.model.measure("total_spend"))]
            elif groups or grains or self.filters or count_cue:
                measures = [self._metric(self.model.measure("customers"))]
            else:
                raise PlanningError(
                    "I couldn't find a measure or a list to show. Ask for something like "
                    "'churn risk by segment', 'how many Premium cardholders are in Texas' or "
                    "'total spend by month in 2025'."
                )
        spec.measures = list({m.alias: m for m in measures}.values())
        return spec

    def fragment(self) -> "Fragment":
        """Steps 1 and 2 on a follow-up, and the parts it names (nothing decided yet)."""
        tokens, comparisons = self._read(FOLLOWUP_WORDS | FOLLOWUP_STARTS)
        words = [t.text for t in tokens]
        has = set(words)
        agg_at = {i: AGG_WORDS[w] for i, w in enumerate(words) if w in AGG_WORDS}
        parts = self._parts(tokens, comparisons, agg_at)
        measures = list(parts.measures)
        facts = []
        for _, fact, agg in parts.facts:
            if agg is None:
                facts.append(fact)
            else:
                measures.append(self._fact_metric(fact, agg))
        pointing = has & ANAPHORA or has & CUSTOMER_WORDS or has & TRANSACTION_WORDS
        to_list = None
        if (has & LIST_VERBS or words[:2] == ["who", "are"]) and pointing and not measures:
            to_list = "transactions" if has & TRANSACTION_WORDS else "customers"
        count = _count_cue(words)
        listing = has & LIST_VERBS and has & (CUSTOMER_WORDS | TRANSACTION_WORDS)
        subject = bool(parts.measures or parts.facts or count or listing)
        return Fragment(
            filters=self.filters + parts.filters,
            groups=parts.groups,
            grains=parts.grains,
            timedims=parts.timedims,
            measures=measures,
            facts=facts,
            time=self.time,
            limit=self.limit,
            direction=_direction(tokens),
            to_list=to_list,
            count=count,
            has_subject=subject,
            aggregated=bool(agg_at),
            names_rows=bool(has & (CUSTOMER_WORDS | TRANSACTION_WORDS) - {"ones"}),
        )

    def _parts(self, tokens: list[Token], comparisons: list[dict], agg_at: dict) -> "Parts":
        """What the matched tokens name: measures, facts, groups, values, grains and the
        filters from comparisons, values and flags."""
        # comparisons -> filters on facts, transaction amounts or per-customer spend
        filters: list[Filter] = []
        for comp in comparisons:
            target = self._comparison_target(comp, tokens)
            if isinstance(target, Fact):
                filters.append(self._comparison_filter(comp, target))
            else:
                filters.append(self._customer_activity_filter(comp, target))

        measures: list[Metric] = []
        facts: list[tuple[int, Fact, str | None]] = []
        group_dims: list[tuple[int, Dimension]] = []
        values: dict[str, list[tuple[int, str, bool]]] = {}
        grains: list[str] = []
        timedims: list[str] = []
        flags: list[str] = []
        trend = False

        for i, tok in enumerate(tokens):
            if tok.kind != "item":
                continue
            item = tok.item
            kind = item[0]
            if kind == "measure":
                measures.append(self._metric(self.model.measure(item[1])))
            elif kind == "fact":
                agg = self._agg_before(i, agg_at, tokens)
                facts.append((i, self.model.fact(item[1]), agg))
            elif kind == "value":
                negated = self._negated(i, tokens)
                values.setdefault(item[1], []).append((i, item[2], negated))
            elif kind == "dim":
                group_dims.append((i, self.model.dimension(item[1])))
            elif kind == "grain":
                grains.append(item[1])
            elif kind == "timedim":
                timedims.append(item[1])
            elif kind == "flag":
                flags.append(item[1])
            elif kind == "trend":
                trend = True
        if trend and not grains:
            grains.append("month")
        share_of = self._share_condition(tokens, values, flags)
        if share_of is not None:
            measures.insert(0, share_of)

        # dimensions: grouping, or just naming the values next to them
        groups: list[Group] = []
        for i, dim in group_dims:
            near = dim.name in values and any(abs(j - i) <= 3 for j, _, _ in values[dim.name])
            if near and not self._vs(values[dim.name], tokens):
                continue  # "the Declining segment", "Premium card type"
            groups.append(self._group(dim))
        # "Premium vs Standard", "Texas or California compared": group by that dimension
        for dim_name, found in values.items():
            if self._vs(found, tokens) and not any(g.alias == dim_name for g in groups):
                groups.append(self._group(self.model.dimension(dim_name)))

        # value filters
        for dim_name, found in values.items():
            dim = self.model.dimension(dim_name)
            keep = [v for _, v, neg in found if not neg]
            drop = [v for _, v, neg in found if neg]
            if keep:
                filters.append(self._in_filter(dim, keep, False))
            if drop:
                filters.append(self._in_filter(dim, drop, True))
        for name in flags:
            flag = next(f for f in self.model.flags if f.name == name)
            filters.append(Filter(flag.expr, flag.label, "customer", key=f"flag:{name}"))

        return Parts(measures, facts, groups, values, grains, timedims, filters)

    # -- helpers: understanding --

    def _agg_before(self, i: int, agg_at: dict[int, str], tokens: list[Token]) -> str | None:
        for j in range(i - 1, max(i - 3, -1), -1):
            if j in agg_at:
                return agg_at[j]
            if tokens[j].kind == "item":
                break
        return None

    def _negated(self, i: int, tokens: list[Token]) -> bool:
        for j in range(i - 1, max(i - 4, -1), -1):
            w = tokens[j].text
            if w in NEGATIONS or (w == "than" and j > 0 and tokens[j - 1].text == "other"):
                return True
            if tokens[j].kind == "item":
                return False
        return False

    def _vs(self, found: list[tuple[int, str, bool]], tokens: list[Token]) -> bool:
        """Several values of one dimension compared ('Premium vs Standard')."""
        if len({v for _, v, _ in found}) < 2:
            return False
        words = {t.text for t in tokens}
        return bool(words & {"vs", "versus", "compare", "compared", "comparing", "against"})

    def _share_condition(self, tokens: list[Token], values: dict, flags: list[str]):
        """'share of customers (that are) high risk': the first value or flag after the cue
        becomes a share measure instead of a filter."""
        cue = next(
            (i for i, t in enumerate(tokens) if t.kind == "word" and t.text in SHARE_CUES), None
        )
        if cue is None:
            return None
        # "share of Premium customers (that) are inactive": the part after the verb is the
        # condition, the part before it the population (which stays a filter)
        verbs = {"are", "is", "were", "was", "have", "has", "had", "hold", "holds", "own"}
        verb = next((j for j in range(cue + 1, len(tokens)) if tokens[j].text in verbs), None)
        after_verb = verb is not None and any(
            t.kind == "item" and t.item[0] in ("value", "flag") for t in tokens[verb + 1 :]
        )
        start = verb + 1 if after_verb else cue + 1
        for j in range(start, len(tokens)):
            tok = tokens[j]
            if tok.kind != "item" or tok.item[0] not in ("value", "flag"):
                continue
            if tok.item[0] == "flag":
                flag = next(f for f in self.model.flags if f.name == tok.item[1])
                flags.remove(flag.name)
                condition, label, entity = flag.expr, flag.label, "customer"
                alias = f"share_{flag.name}"
            else:
                dim = self.model.dimension(tok.item[1])
                found = values.get(dim.name, [])
                values[dim.name] = [v for v in found if v[0] != j]
                if not values[dim.name]:
                    values.pop(dim.name)
                condition = f"{dim.expr} = {lit(tok.item[2])}"
                label, entity = f"{dim.label.lower()} {tok.item[2]}", dim.entity
                alias = "share_" + re.sub(r"[^a-z0-9]+", "_", tok.item[2].lower()).strip("_")
            expr = f"avg(case when {condition} then 1.0 else 0.0 end)"
            where = "t.status = 'Approved'" if entity == "transaction" else None
            return Metric(alias, expr, f"Share {label}", "percent", entity, where)
        return None

    def _ranks_customers(self, has, groups, measures, count_cue, direction, grains) -> bool:
        """'top 10 customers by spend last month': a ranking of customers by a transaction
        measure lists customers (grouped by customer), not one grand total."""
        return bool(
            has & CUSTOMER_WORDS
            and not groups
            and not grains
            and not count_cue
            and (direction or self.limit is not None)
            and measures
            and all(m.entity == "transaction" for m in measures)
        )

    def _customer_groups(self) -> list[Group]:
        return [
            Group("customer_id", "p.customer_id", "Customer", "customer", many=True,
                   plural="customers"),
            Group("full_name", "p.full_name", "Name", "customer", many=True, plural="names"),
        ]  # fmt: skip

    def _list_intent(self, words: list[str]) -> bool:
        has = set(words)
        if has & LIST_VERBS and has & (CUSTOMER_WORDS | TRANSACTION_WORDS):
            return True
        return words[:1] in (["who"], ["list"], ["show"], ["find"])

    def _is_list(self, words, measures, groups, count_cue, agg_at, direction) -> bool:
        if groups or count_cue or agg_at:
            return False
        if any(not m.column for m in measures):
            return False
        if not measures:
            return True  # nothing asks for a number: show who or what matches
        return bool(direction or self._list_intent(words) or self.customer_id)

    def _comparison_target(self, comp: dict, tokens: list[Token]) -> "Fact | Measure":
        """What a comparison limits: a fact, or per-customer spend/transactions (a measure)."""
        if comp.get("fact"):
            return self.model.fact(comp["fact"])
        at = comp["at"]
        num = comp["tok"]
        prev = tokens[at - 1] if at > 0 else None
        plain = not (num.money or num.percent) and 15 <= (num.value or 0) <= 110
        after_people = prev is not None and (
            prev.text in CUSTOMER_WORDS
            or (prev.kind == "item" and prev.item == ("measure", "customers"))
            or prev.phrase.split()[-1:] == ["customers"]
        )
        if plain and after_people:  # "customers over 50", "cardholders under 30": age
            return self.model.fact("age")
        # the nearest fact or measure before the comparison
        for j in range(at - 1, max(at - 6, -1), -1):
            tok = tokens[j]
            item = tok.item
            if tok.kind == "item" and item[0] == "fact":
                tok.kind = "compared"
                return self.model.fact(item[1])
            if tok.kind == "item" and item[0] == "measure":
                measure = self.model.measure(item[1])
                if measure.name == "customers":
                    continue  # the subject: "customers (who) had more than 5 ..."
                tok.kind = "compared"
                if measure.column:
                    return self.model.fact(measure.column)
                if measure.name in ("total_spend", "transactions"):
                    return measure
                if measure.name in ("active_customers", "spend_per_customer"):
                    return self.model.measure("total_spend")  # "customers who spent over X"
                raise PlanningError(
                    f"I can't compare {measure.label.lower()} with a number per customer; "
                    "try a customer measure such as lifetime value or churn score."
                )
        # what follows the number: a unit ("60 years old", "90 days"), "transactions", a fact
        k = comp["tok"].index + (3 if comp["op"] == "between" else 1)
        after = tokens[k].text if k < len(tokens) else ""
        unit_facts = {"years": "age", "year": "age", "yrs": "age", "months": "tenure_months"}
        unit_facts |= {"days": "days_since_last_transaction", "day": "days_since_last_transaction"}
        if after in unit_facts:
            tokens[k].used, tokens[k].kind = True, "consumed"
            if k + 1 < len(tokens) and tokens[k + 1].text in ("old", "of", "age"):
                tokens[k + 1].used, tokens[k + 1].kind = True, "consumed"
            return self.model.fact(unit_facts[after])
        if after in TRANSACTION_WORDS:
            tokens[k].used, tokens[k].kind = True, "consumed"
            return self.model.measure("transactions")
        per_customer = ("transactions", "declined_transactions", "total_spend")
        for j in range(k, min(k + 3, len(tokens))):  # "more than 5 declined transactions"
            tok = tokens[j]
            if tok.kind == "item" and tok.item[0] == "measure" and tok.item[1] in per_customer:
                tok.kind = "compared"
                return self.model.measure(tok.item[1])
        for j in range(k, min(k + 4, len(tokens))):
            tok = tokens[j]
            if tok.kind == "item" and tok.item[0] == "fact":
                tok.kind = "compared"
                return self.model.fact(tok.item[1])
        words = {t.text for t in tokens}
        before = tokens[at - 1].text if at > 0 else ""
        if words & TRANSACTION_WORDS and (comp["tok"].money or before in TRANSACTION_WORDS):
            return self.model.fact("amount")
        raise PlanningError(
            f"I can't tell what {fmt_number(comp['tok'])} refers to. Name the measure next to "
            "the number, e.g. 'lifetime value over 10000' or 'customers older than 60'."
        )

    def _customer_activity_filter(self, comp: dict, measure: Measure) -> Filter:
        """Customers whose approved spend (or transaction count) in the time range compares."""
        agg = "sum(t.amount)" if measure.name == "total_spend" else "count(*)"
        what = "spend" if measure.name == "total_spend" else "approved transactions"
        status = "Approved"
        if measure.name == "declined_transactions":
            what, status = "declined transactions", "Declined"
        if comp["op"] == "between":
            low, high = sorted(comp["values"])
            having = f"{agg} between {lit(low)} and {lit(high)}"
            shown = f"between {num(low)} and {num(high)}"
        else:
            having = f"{agg} {comp['op']} {lit(comp['values'][0])}"
            shown = f"{comp['op']} {num(comp['values'][0])}"
        where = [f"t.status = {lit(status)}", *time_clause("t.transaction_ts", self.time)]
        period = f" ({self.time.describe()})" if self.time else " (all history)"
        self.time = None  # used up by this filter
        positive = comp["op"] in (">", ">=") or (comp["op"] == "between" and low > 0)
        sub = (
            "select t.customer_id from gold.fct_transactions t where "
            + " and ".join(where)
            + f" group by t.customer_id having {having}"
        )
        if positive:
            sql = f"p.customer_id in ({sub})"
        else:  # customers with no transactions at all also have spend 0
            sub_neg = sub.replace(f"having {having}", f"having not ({having})")
            sql = f"p.customer_id not in ({sub_neg})"
        return Filter(
            sql,
            f"{what}{period} {shown}",
            "customer",
            key=f"activity:{measure.name}",
            op=comp["op"],
            values=tuple(comp["values"]),
        )

    def _comparison_filter(self, comp: dict, fact: Fact) -> Filter:
        values = list(comp["values"])
        if fact.format == "percent":  # stored as 0-1; "over 50%" or "over 0.5"
            values = [v / 100 if (comp["tok"].percent or v > 1) else v for v in values]
        if comp["op"] == "between":
            low, high = sorted(values)
            sql = f"{fact.expr} between {lit(low)} and {lit(high)}"
            text = f"{fact.label.lower()} between {num(low)} and {num(high)}"
        else:
            sql = f"{fact.expr} {comp['op']} {lit(values[0])}"
            text = f"{fact.label.lower()} {comp['op']} {num(values[0])}"
        bounds = tuple(sorted(values)) if comp["op"] == "between" else (values[0],)
        return Filter(sql, text, fact.entity, key=f"fact:{fact.name}", op=comp["op"], values=bounds)

    def _in_filter(self, dim: Dimension, values: list[str], negated: bool) -> Filter:
        values = list(dict.fromkeys(values))
        if len(values) == 1:
            op = "<>" if negated else "="
            sql = f"{dim.expr} {op} {lit(values[0])}"
        else:
            listed = ", ".join(lit(v) for v in values)
            sql = f"{dim.expr} {'not in' if negated else 'in'} ({listed})"
        if negated:
            sql = f"({sql} or {dim.expr} is null)" if dim.name != "age_band" else sql
        shown = " or ".join(values)
        text = f"{dim.label.lower()} {'is not' if negated else 'is'} {shown}"
        return Filter(sql, text, dim.entity, dim.name, tuple(values), negated, f"dim:{dim.name}")

    def _metric(self, m: Measure) -> Metric:
        return Metric(m.name, m.expr, m.label, m.format, m.entity, m.where, m.column)

    def _fact_metric(self, fact: Fact, agg: str) -> Metric:
        names = {"avg": "avg", "sum": "total", "median": "median", "max": "max", "min": "min"}
        labels = {"avg": "Avg", "sum": "Total", "median": "Median", "max": "Max", "min": "Min"}
        alias = fact.name if fact.name.startswith(("avg_",)) and agg == "avg" else None
        alias = alias or f"{names[agg]}_{fact.name}"
        label = (
            fact.label
            if fact.label.lower().startswith("avg")
            else f"{labels[agg]} {fact.label.lower()}"
        )
        where = "t.status = 'Approved'" if fact.entity == "transaction" else None
        return Metric(alias, f"{agg}({fact.expr})", label, fact.format, fact.entity, where)

    def _group(self, dim: Dimension) -> Group:
        many = self.p.value_counts.get(dim.name, 0) > MANY_VALUES or not (
            dim.values or dim.values_from_data
        )
        return Group(dim.name, dim.expr, dim.label, dim.entity, many=many, plural=dim.plural)

    def _singular(self) -> bool:
        """'Which state has the highest ...' asks for one row; 'which states have' for more."""
        tokens = self.tokens
        for i, tok in enumerate(tokens[:-1]):
            if tok.text not in ("which", "what"):
                continue
            nxt = tokens[i + 1]
            if nxt.kind != "item" or nxt.item[0] not in ("dim", "grain"):
                continue
            last = nxt.phrase.split()[-1]
            if last.endswith("s") and not last.endswith(("ss", "us")):
                continue
            k = i + 2
            while k < len(tokens) and tokens[k].kind == "consumed":
                k += 1
            if k < len(tokens) and tokens[k].text in SINGULAR_VERBS:
                return True
        return False


def _direction(tokens: list[Token]) -> str | None:
    """'desc' for highest/most/top, 'asc' for lowest/least/bottom (the first one said)."""
    for t in tokens:
        if t.kind != "word":
            continue  # "more than 5" is a comparison, not an order
        if t.text in DESC_WORDS or t.text in ("bigger", "larger"):
            return "desc"
        if t.text in ASC_WORDS or t.text in ("less", "fewer", "smaller"):
            return "asc"
    return None


def _count_cue(words: list[str]) -> bool:
    return any(tuple(words[i : i + len(c)]) == c for c in COUNT_CUES for i in range(len(words)))


@dataclass
class Fragment:
    """The parts a follow-up names; `followup.merge` applies them to the previous spec."""

    filters: list[Filter]
    groups: list[Group]
    grains: list[str]
    timedims: list[str]
    measures: list[Metric]  # measures, and facts with an aggregation or a default one
    facts: list[Fact]  # facts named without an aggregation (a list's order, or a measure)
    time: timerange.TimeRange | None
    limit: int | None
    direction: str | None
    to_list: str | None  # "customers" or "transactions": "show me those customers"
    count: bool  # "how many of them"
    has_subject: bool  # names what to compute: a full question, not a change
    aggregated: bool = False  # "average", "total": a number, not an order
    names_rows: bool = False  # says "customers" or "transactions"

    def is_empty(self) -> bool:
        return not (
            self.filters or self.groups or self.grains or self.measures or self.facts
            or self.time or self.limit or self.direction or self.to_list or self.count
        )  # fmt: skip
