"""The offline planner: a plain-English question to SQL, deterministically, with no network.

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
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlglot
from sqlglot import exp

from c360.assistant import timerange
from c360.assistant.limits import MAX_QUESTION_CHARS
from c360.assistant.semantic import Dimension, Fact, Measure, SemanticModel

DEFAULT_LIST_LIMIT = 100
DEFAULT_RANKING_LIMIT = 10
MAX_ANSWER_ROWS = 1_000  # no answer has more rows (the guard's cap); "top 10^20" means all
MANY_VALUES = 12  # a dimension with more values than this is ranked top-10 by default

# Two-letter state codes that are also English words: only taken as states in capitals.
AMBIGUOUS_CODES = {"in", "or", "me", "hi", "oh", "ok", "id", "de", "la", "pa", "ma", "al"}
AMBIGUOUS_CODES |= {"co", "mo", "ne", "wa", "ga", "va", "ms", "mt", "sc", "nd", "ri", "ut"}
AMBIGUOUS_CODES |= {"ct", "dc", "md", "nc", "sd", "ia", "ks", "ky", "mn", "nh", "nj", "nm"}
AMBIGUOUS_CODES |= {"nv", "ak", "az", "ar", "wi", "wv", "wy", "vt", "tn", "ca", "fl", "il"}

DESC_WORDS = {"highest", "most", "top", "largest", "biggest", "greatest", "best", "max"}
DESC_WORDS |= {"maximum", "leading", "strongest", "higher", "more"}
ASC_WORDS = {"lowest", "least", "fewest", "bottom", "smallest", "worst", "weakest", "min"}
ASC_WORDS |= {"minimum", "lower"}
AGG_WORDS = {
    "average": "avg", "avg": "avg", "mean": "avg", "typical": "avg",
    "total": "sum", "sum": "sum", "overall": "sum", "combined": "sum",
    "median": "median",
}  # fmt: skip
GROUP_CUES = {"by", "per", "each", "every", "across", "which", "what", "among", "compare"}
GROUP_CUES |= {"vs", "versus", "between", "rank", "ranked", "ranking", "split", "top"}
GROUP_CUES |= {"bottom", "breakdown", "distribution", "mix", "different", "all", "for"}
AFTER_GROUP_CUES = {"breakdown", "distribution", "mix", "split", "ranking", "comparison"}
LIST_VERBS = {"show", "list", "find", "who", "give", "display", "get", "identify", "pull"}
LIST_VERBS |= {"export", "name", "names", "which"}
CUSTOMER_WORDS = {"customers", "customer", "cardholders", "cardholder", "clients", "client"}
CUSTOMER_WORDS |= {"accounts", "account", "people", "members", "users", "holders", "ones"}
CUSTOMER_WORDS |= {"individuals", "persons", "consumers", "shoppers", "buyers", "targets"}
TRANSACTION_WORDS = {"transactions", "transaction", "purchases", "purchase", "payments"}
TRANSACTION_WORDS |= {"swipes", "charges"}
SHARE_CUES = {"share", "percentage", "proportion", "fraction", "%", "pct"}
COUNT_CUES = [("how", "many"), ("number", "of"), ("count", "of"), ("count",), ("total", "number")]
NEGATIONS = {"not", "excluding", "except", "non", "without", "exclude", "outside"}
SINGULAR_VERBS = {"has", "is", "had", "was", "spends", "spent", "shows", "generates", "gets"}
SINGULAR_VERBS |= {"contributes", "leads", "brings", "sees", "ranks", "does"}
NUMBER_WORDS = timerange.NUMBER_WORDS | {"fifty": 50, "hundred": 100}
FILLER = set(
    """a an the of for in on at to from with by per each every and or vs versus is are was
    were be been being do does did have has had what which who whom whose how many much me
    my our us we i you your show list give get find display tell see compare comparison
    between across among all any there their them they that this these those it its please
    can could would will should want need like look looking breakdown break down broken
    split distribution mix summary overview report rank ranked ranking sorted sort order
    ordered data portfolio currently current now overall just only also both including
    along together as than so into out up about within inside whole entire same group
    grouped grouping versus respectively kind kinds type types level levels live living
    located based belong belongs belonging residing reside come comes where when
    highest most top largest biggest greatest best lowest least fewest bottom smallest
    worst leading strongest weakest higher lower more less max min maximum minimum
    average avg mean typical total sum combined median count number value values
    amount amounts figure figures metric metrics numbers stats statistics
    customers customer cardholders cardholder clients client accounts account people
    members users holders ones individuals persons consumers shoppers buyers targets
    transactions transaction purchases purchase payments swipes charges spends
    make made makes doing done happen happened happening compared comparing
    identify pull export name names whats who's hows over time our ours
    rate rates share shares percentage percent proportion fraction ratio
    am let lets know tell explain describe give gives going went see seen view
    different differ difference differences change changes changed trend trends
    right now today still yet ever then first last next recent recently
    one ones some other others another such size sizes hold holds holding own owns
    owning carry carries carrying got candidate candidates prospects
    likely likelihood status statuses segment segments group groups
    generate generates generated bring brings brought contribute contributes contributed
    see sees lead leads rank ranks
    high low medium
    """.split()
)  # fmt: skip


GRAMMAR = (
    FILLER
    | DESC_WORDS
    | ASC_WORDS
    | set(AGG_WORDS)
    | GROUP_CUES
    | LIST_VERBS
    | NEGATIONS
    | CUSTOMER_WORDS
    | TRANSACTION_WORDS
    | SINGULAR_VERBS
    | SHARE_CUES
    | AFTER_GROUP_CUES
    | {"than", "least", "most", "other", "like", "non", "months", "days", "years", "weeks"}
    | {"dollars", "usd", "$", "units", "terms", "basis"}
)


@dataclass(frozen=True)
class Output:
    """A column of the answer: its alias, a label for people and a format."""

    alias: str
    label: str
    format: str = "text"
    plural: str = ""


@dataclass
class Plan:
    """What the planner understood, and the SQL that answers it."""

    question: str
    sql: str
    kind: str  # "aggregate", "customers" or "transactions"
    measures: list[Output]
    dimensions: list[Output]
    time_grain: str | None
    filters: list[str]
    time: timerange.TimeRange | None
    order: tuple[str, str] | None
    limit: int | None

    def describe(self) -> str:
        """One line: what was computed, for whom, when."""
        if self.kind == "aggregate":
            what = ", ".join(m.label for m in self.measures)
            if self.dimensions:
                what += " by " + ", ".join(d.label.lower() for d in self.dimensions)
        else:
            what = "Customers" if self.kind == "customers" else "Transactions"
        parts = [what]
        if self.filters:
            parts.append("where " + "; ".join(self.filters))
        if self.time:
            parts.append(self.time.describe())
        return " · ".join(parts)


@dataclass
class Clarification:
    """The planner could not map the question; `message` says why, with suggestions."""

    question: str
    message: str
    suggestions: list[str] = field(default_factory=list)


class PlanningError(Exception):
    """Raised internally to turn into a Clarification."""

    def __init__(self, message: str, suggestions: list[str] | None = None):
        super().__init__(message)
        self.suggestions = suggestions or []


# --- text ---------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Lower case; '&' -> 'and'; hyphens between letters and apostrophes dropped."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    t = re.sub(r"(?<=[a-z])'s\b", "", t)
    t = t.replace("'", "")
    t = t.replace("&", " and ")
    t = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", t)
    t = re.sub(r"(?<=\d),(?=\d{3})", "", t)
    t = re.sub(r"(?<=[a-z])\.(?=[a-z])", "", t)
    t = re.sub(r"(?<=[a-z])\.(?=\s|$)", " ", t)
    t = re.sub(r"[^a-z0-9$%.\-<>=+ ]", " ", t)
    t = re.sub(r"(?<![\d])[.\-](?!\d)", " ", t)
    return " ".join(t.split())


_NUM = re.compile(r"^(?P<cur>\$)?(?P<num>\d+(?:\.\d+)?)(?P<suf>k|m|%)?$")


@dataclass
class Token:
    text: str
    index: int
    upper: bool = False  # written in capitals in the question (state codes)
    kind: str = "word"  # word, number, item
    value: float | None = None
    money: bool = False
    percent: bool = False
    item: tuple | None = None  # (kind, payload...) once matched
    used: bool = False
    phrase: str = ""


def tokenize(question: str, original_words: set[str]) -> list[Token]:
    tokens = []
    norm = normalize(question)
    norm = re.sub(r"(\$)\s+(?=\d)", r"\1", norm)
    norm = re.sub(r"(?<=\d)\s+(k|m|%|percent|pct)\b", r"\1", norm)
    norm = re.sub(r"\b(?:percent|pct)\b", "%", norm)
    for i, word in enumerate(norm.split()):
        tok = Token(word, i, upper=word.upper() in original_words)
        m = _NUM.match(word)
        if m:
            value = float(m["num"])
            suffix = m["suf"]
            if suffix == "k":
                value *= 1_000
            elif suffix == "m":
                value *= 1_000_000
            tok.kind, tok.value = "number", value
            tok.money, tok.percent = bool(m["cur"]), suffix == "%"
        elif word in NUMBER_WORDS and word not in {"a", "an", "one"}:
            tok.kind, tok.value = "number", float(NUMBER_WORDS[word])
        tokens.append(tok)
    return tokens


# --- vocabulary ---------------------------------------------------------------------------


@dataclass
class Vocabulary:
    """Phrases (tuples of normalized words) to meanings, from the model and the data."""

    phrases: dict[tuple[str, ...], list[tuple]]
    longest: int
    words: set[str]
    state_codes: set[str]

    @classmethod
    def build(cls, model: SemanticModel, data_values: dict[str, list[str]]) -> "Vocabulary":
        phrases: dict[tuple[str, ...], list[tuple]] = {}

        def add(phrase: str, item: tuple) -> None:
            key = tuple(normalize(phrase).split())
            if key and item not in phrases.setdefault(key, []):
                phrases[key].append(item)

        state_codes: set[str] = set()
        for dim in model.dimensions:
            for synonym in (dim.label, dim.plural, *dim.synonyms):
                add(synonym, ("dim", dim.name))
            values = list(dim.values) + list(data_values.get(dim.name, []))
            values += list(dim.value_synonyms)
            for value in dict.fromkeys(values):
                if dim.name == "state":
                    state_codes.add(value.lower())
                    continue  # codes are matched separately (case matters)
                add(value, ("value", dim.name, value))
            for value, synonyms in dim.value_synonyms.items():
                for synonym in synonyms:
                    add(synonym, ("value", dim.name, value))
        for td in model.time_dimensions:
            for synonym in td.synonyms:
                if td.name == "transaction_time":
                    add(synonym, ("trend",))  # "trend", "over time": by month unless a grain
                    continue
                add(synonym, ("timedim", td.name))
            for grain in td.grains.values():
                for synonym in grain.synonyms:
                    add(synonym, ("grain", grain.name))
        entity_words = CUSTOMER_WORDS | TRANSACTION_WORDS
        for measure in model.measures:
            if normalize(measure.label) not in entity_words:
                add(measure.label, ("measure", measure.name))
            for synonym in measure.synonyms:
                add(synonym, ("measure", measure.name))
        for fact in model.facts:
            add(fact.label, ("fact", fact.name))
            for synonym in fact.synonyms:
                add(synonym, ("fact", fact.name))
        for flag in model.flags:
            for synonym in flag.synonyms:
                add(synonym, ("flag", flag.name))
        for phrase in ("new customers", "new cardholders", "new accounts", "new clients"):
            add(phrase, ("timedim", "account_open_date"))
        add("valuable", ("fact", "lifetime_value"))
        longest = max(len(k) for k in phrases)
        words = {w for k in phrases for w in k} | FILLER | set(timerange.MONTHS)
        return cls(phrases, longest, words, state_codes)


# --- the planner --------------------------------------------------------------------------


@dataclass
class _Filter:
    sql: str
    text: str
    entity: str  # customer or transaction
    dim: str | None = None  # a dimension-value filter: which dimension ...
    values: tuple[str, ...] = ()  # ... which values
    negated: bool = False


@dataclass
class _Metric:
    alias: str
    expr: str
    label: str
    format: str
    entity: str
    where: str | None = None
    column: str | None = None  # a customer column to sort lists by


@dataclass
class _Group:
    alias: str
    expr: str
    label: str
    entity: str
    is_time: bool = False
    many: bool = False
    order_expr: str | None = None
    plural: str = ""


def _lit(value) -> str:
    """A SQL literal, quoted by sqlglot (never by hand)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        number = int(value) if float(value).is_integer() else float(value)
        return exp.Literal.number(number).sql("duckdb")
    return exp.Literal.string(str(value)).sql("duckdb")


def _date(d: date) -> str:
    return f"date {_lit(d.isoformat())}"


def _with_filter(expr: str, condition: str) -> str:
    """Add FILTER (WHERE condition) to every aggregate in `expr`."""
    tree = sqlglot.parse_one(expr, read="duckdb")

    def add(node):
        if isinstance(node, exp.AggFunc) and not isinstance(node.parent, exp.Filter):
            cond = sqlglot.parse_one(condition, read="duckdb")
            return exp.Filter(this=node.copy(), expression=exp.Where(this=cond))
        return node

    return tree.transform(add).sql("duckdb")


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

    def plan(self, question: str) -> Plan | Clarification:
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
            return _Interpretation(self, text).plan()
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


class _Interpretation:
    """One question being understood (state for the steps in the module docstring)."""

    def __init__(self, planner: Planner, text: str):
        self.p = planner
        self.model = planner.model
        self.text = text
        self.filters: list[_Filter] = []
        self.time: timerange.TimeRange | None = None
        self.limit: int | None = None
        self.customer_id: str | None = None

    # -- step 1: fixed shapes --

    def _extract_specials(self, text: str) -> str:
        m = re.search(r"\b(CUST\d{4,12})\b", text, flags=re.IGNORECASE)
        if m:
            self.customer_id = m.group(1).upper()
            self.filters.append(
                _Filter(
                    f"p.customer_id = {_lit(self.customer_id)}",
                    f"customer id is {self.customer_id}",
                    "customer",
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
                _Filter(
                    f"contains(lower(p.full_name), {_lit(name.lower())})",
                    f"name contains {name!r}",
                    "customer",
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
            sql = f"{fact.expr} {op} {_lit(value)}{extra}"
        else:
            sql = f"{fact.expr} {op} {_lit(value)}"
        word = "down" if down else "up"
        text = f"90-day spend {word} {'less than' if less else 'at least'} {_num(n)}%"
        self.filters.append(_Filter(sql, text, "customer"))
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
            _Filter(
                f"p.spend_last_90_days {op} p.spend_prior_90_days",
                f"spend in the last 90 days {'below' if falls else 'above'} the 90 days before",
                "customer",
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

    def plan(self) -> Plan:
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
        self._check_unknown(tokens)
        return self._interpret(tokens, comparisons)

    def _check_unknown(self, tokens: list[Token]) -> None:
        """Every word must be understood: part of a matched phrase or a grammar word."""
        unknown = [t for t in tokens if t.kind == "word" and t.text not in GRAMMAR]
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
            shown = ", ".join(_fmt_number(t) for t in numbers[:3])
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

    def _interpret(self, tokens: list[Token], comparisons: list[dict]) -> Plan:
        words = [t.text for t in tokens]
        has = set(words)

        # ordering direction and aggregation words
        direction = None
        for t in tokens:
            if t.kind != "word":
                continue  # "more than 5" is a comparison, not an order
            if t.text in DESC_WORDS or t.text in ("bigger", "larger"):
                direction = direction or "desc"
            elif t.text in ASC_WORDS or t.text in ("less", "fewer", "smaller"):
                direction = direction or "asc"
        agg_at = {i: AGG_WORDS[w] for i, w in enumerate(words) if w in AGG_WORDS}
        count_cue = any(
            tuple(words[i : i + len(c)]) == c for c in COUNT_CUES for i in range(len(words))
        )

        # comparisons -> filters on facts, transaction amounts or per-customer spend
        compared: set[str] = set()
        for comp in comparisons:
            target = self._comparison_target(comp, tokens)
            if isinstance(target, Fact):
                compared.add(target.name)
                self.filters.append(self._comparison_filter(comp, target))
            else:
                self.filters.append(self._customer_activity_filter(comp, target))

        measures: list[_Metric] = []
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
        groups: list[_Group] = []
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
                self.filters.append(self._in_filter(dim, keep, False))
            if drop:
                self.filters.append(self._in_filter(dim, drop, True))
        for name in flags:
            flag = next(f for f in self.model.flags if f.name == name)
            self.filters.append(_Filter(flag.expr, flag.label, "customer"))

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
            self.filters = [f for f in self.filters if not f.sql.startswith("p.recency_status")]

        # "active customers" without a time range is the recency status, not a count
        if any(m.alias == "active_customers" for m in measures) and self.time is None:
            measures = [m for m in measures if m.alias != "active_customers"]
            dim = self.model.dimension("recency_status")
            self.filters.append(self._in_filter(dim, ["Active"], False))
            if not any(m.format == "count" for m in measures):
                measures.insert(0, self._metric(self.model.measure("customers")))

        if self._ranks_customers(has, groups, measures, count_cue, direction, grains):
            groups += self._customer_groups()

        time_dim = self._time_dimension(timedims, measures, groups, grains)
        for grain in dict.fromkeys(grains):
            groups.append(self._grain_group(time_dim, grain))

        transaction = (
            time_dim == "transaction_time"
            or any(m.entity == "transaction" for m in measures)
            or any(g.entity == "transaction" for g in groups)
            or any(f.entity == "transaction" for f in self.filters)
        )
        is_list = self._is_list(words, measures, groups, count_cue, agg_at, direction)
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

        if is_list:
            if has & TRANSACTION_WORDS and (transaction or direction):
                return self._transaction_list(direction, list_columns)
            if self.time is not None and time_dim != "account_open_date":
                raise PlanningError(
                    "A customer list describes customers as of the as-of date; a time range "
                    "only applies to transactions or account openings. Try 'customers who "
                    "opened their account in 2025' or 'spend by customer in 2025'."
                )
            return self._customer_list(direction, sort_fact, list_columns)

        if not measures:
            if transaction and "avg" in agg_at.values():
                measures = [self._metric(self.model.measure("avg_transaction_amount"))]
            elif transaction and has & TRANSACTION_WORDS:
                measures = [self._metric(self.model.measure("transactions"))]
            elif transaction:
                measures = [self._metric(self.model.measure("total_spend"))]
            elif groups or self.filters or count_cue:
                measures = [self._metric(self.model.measure("customers"))]
            else:
                raise PlanningError(
                    "I couldn't find a measure or a list to show. Ask for something like "
                    "'churn risk by segment', 'how many Premium cardholders are in Texas' or "
                    "'total spend by month in 2025'."
                )
        return self._aggregate(measures, groups, transaction, direction, time_dim, words)

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
                condition = f"{dim.expr} = {_lit(tok.item[2])}"
                label, entity = f"{dim.label.lower()} {tok.item[2]}", dim.entity
                alias = "share_" + re.sub(r"[^a-z0-9]+", "_", tok.item[2].lower()).strip("_")
            expr = f"avg(case when {condition} then 1.0 else 0.0 end)"
            where = "t.status = 'Approved'" if entity == "transaction" else None
            return _Metric(alias, expr, f"Share {label}", "percent", entity, where)
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

    def _customer_groups(self) -> list[_Group]:
        return [
            _Group("customer_id", "p.customer_id", "Customer", "customer", many=True,
                   plural="customers"),
            _Group("full_name", "p.full_name", "Name", "customer", many=True, plural="names"),
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
            f"I can't tell what {_fmt_number(comp['tok'])} refers to. Name the measure next to "
            "the number, e.g. 'lifetime value over 10000' or 'customers older than 60'."
        )

    def _customer_activity_filter(self, comp: dict, measure: Measure) -> _Filter:
        """Customers whose approved spend (or transaction count) in the time range compares."""
        agg = "sum(t.amount)" if measure.name == "total_spend" else "count(*)"
        what = "spend" if measure.name == "total_spend" else "approved transactions"
        status = "Approved"
        if measure.name == "declined_transactions":
            what, status = "declined transactions", "Declined"
        if comp["op"] == "between":
            low, high = sorted(comp["values"])
            having = f"{agg} between {_lit(low)} and {_lit(high)}"
            shown = f"between {_num(low)} and {_num(high)}"
        else:
            having = f"{agg} {comp['op']} {_lit(comp['values'][0])}"
            shown = f"{comp['op']} {_num(comp['values'][0])}"
        where = [f"t.status = {_lit(status)}", *self._time_clause("t.transaction_ts")]
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
        return _Filter(sql, f"{what}{period} {shown}", "customer")

    def _comparison_filter(self, comp: dict, fact: Fact) -> _Filter:
        values = list(comp["values"])
        if fact.format == "percent":  # stored as 0-1; "over 50%" or "over 0.5"
            values = [v / 100 if (comp["tok"].percent or v > 1) else v for v in values]
        if comp["op"] == "between":
            low, high = sorted(values)
            sql = f"{fact.expr} between {_lit(low)} and {_lit(high)}"
            text = f"{fact.label.lower()} between {_num(low)} and {_num(high)}"
        else:
            sql = f"{fact.expr} {comp['op']} {_lit(values[0])}"
            text = f"{fact.label.lower()} {comp['op']} {_num(values[0])}"
        return _Filter(sql, text, fact.entity)

    def _in_filter(self, dim: Dimension, values: list[str], negated: bool) -> _Filter:
        values = list(dict.fromkeys(values))
        if len(values) == 1:
            op = "<>" if negated else "="
            sql = f"{dim.expr} {op} {_lit(values[0])}"
        else:
            listed = ", ".join(_lit(v) for v in values)
            sql = f"{dim.expr} {'not in' if negated else 'in'} ({listed})"
        if negated:
            sql = f"({sql} or {dim.expr} is null)" if dim.name != "age_band" else sql
        shown = " or ".join(values)
        text = f"{dim.label.lower()} {'is not' if negated else 'is'} {shown}"
        return _Filter(sql, text, dim.entity, dim.name, tuple(values), negated)

    def _metric(self, m: Measure) -> _Metric:
        return _Metric(m.name, m.expr, m.label, m.format, m.entity, m.where, m.column)

    def _fact_metric(self, fact: Fact, agg: str) -> _Metric:
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
        return _Metric(alias, f"{agg}({fact.expr})", label, fact.format, fact.entity, where)

    def _group(self, dim: Dimension) -> _Group:
        many = self.p.value_counts.get(dim.name, 0) > MANY_VALUES or not (
            dim.values or dim.values_from_data
        )
        return _Group(dim.name, dim.expr, dim.label, dim.entity, many=many, plural=dim.plural)

    def _time_dimension(self, timedims, measures, groups, grains) -> str | None:
        if "account_open_date" in timedims:
            if self.time is not None and not self.time.label.startswith("opened"):
                self.time = timerange.TimeRange(
                    self.time.start, self.time.end, f"opened {self.time.label}"
                )
            if any(m.entity == "transaction" for m in measures):
                raise PlanningError(
                    "Account opening dates and transaction measures don't mix in one answer; "
                    "ask about new accounts or about spend separately."
                )
            return "account_open_date"
        if self.time is not None or grains:
            customer_only = measures and all(m.entity == "customer" for m in measures)
            if customer_only:
                raise PlanningError(
                    "Customer measures (churn risk, lifetime value, counts of customers) are "
                    "as of the as-of date; a time range or trend only applies to transactions "
                    "or account openings. Try 'total spend by month in 2025', 'active "
                    "customers last month' or 'new accounts by month in 2025'."
                )
            return "transaction_time"
        return None

    def _grain_group(self, time_dim: str | None, grain: str) -> _Group:
        td = self.model.time_dimension(time_dim or "transaction_time")
        spec = td.grains.get(grain)
        if spec is None:
            raise PlanningError(f"{td.label} can't be grouped by {grain}.")
        order_expr = "min(isodow(t.transaction_ts))" if grain == "weekday" else None
        alias = "day_of_week" if grain == "weekday" else grain
        if td.name == "account_open_date":
            alias = f"opening_{grain}"
        plural = spec.label.lower() + "s"
        return _Group(alias, spec.expr, spec.label, td.entity, True, False, order_expr, plural)

    # -- step 4: SQL --

    def _where(self, base: list[str], filters: list[_Filter] | None = None) -> str:
        filters = self.filters if filters is None else filters
        clauses = base + [f.sql for f in filters if f.sql]
        return ("\nwhere " + "\n  and ".join(clauses)) if clauses else ""

    def _time_clause(self, column: str) -> list[str]:
        if self.time is None:
            return []
        clauses = []
        if self.time.start > date(1900, 1, 1):
            clauses.append(f"{column} >= {_date(self.time.start)}")
        clauses.append(f"{column} < {_date(self.time.end)}")
        return clauses

    def _aggregate(self, measures, groups, transaction, direction, time_dim, words) -> Plan:
        if transaction and any(m.entity == "customer" for m in measures):
            names = ", ".join(m.label.lower() for m in measures if m.entity == "customer")
            raise PlanningError(
                f"{names.capitalize()} is a customer measure and can't be split by "
                "transaction attributes (category, channel, merchant) or time; ask for it by "
                "customer attributes such as state or segment."
            )
        measures = list({m.alias: m for m in measures}.values())
        select = [f"{g.expr} as {g.alias}" for g in groups]
        base: list[str] = []
        filters = self.filters
        rollup = self._rollup(measures, groups) if transaction else None
        if rollup is not None:
            select, source, base, filters = rollup
        elif transaction:
            if any("t.status" in f.sql for f in self.filters):  # "declined transactions"
                for m in measures:
                    if m.where and m.where.startswith("t.status"):
                        m.where = None
            wheres = {m.where for m in measures}
            if len(wheres) == 1:
                common = next(iter(wheres))
                base += [common] if common else []
                select += [f"{m.expr} as {m.alias}" for m in measures]
            else:
                select += [
                    f"{_with_filter(m.expr, m.where) if m.where else m.expr} as {m.alias}"
                    for m in measures
                ]
            base += self._time_clause("t.transaction_ts")
            source = "gold.fct_transactions t"
            needs_c = any("c." in g.expr for g in groups) or any(
                "c." in f.sql for f in self.filters
            )
            needs_p = any(g.entity == "customer" for g in groups) or any(
                f.entity == "customer" for f in self.filters
            )
            if needs_c:
                source += "\njoin gold.dim_merchant_category c on t.category_key = c.category_key"
            if needs_p:
                source += "\njoin gold.customer_360_profile p on t.customer_id = p.customer_id"
        else:
            select += [f"{m.expr} as {m.alias}" for m in measures]
            if time_dim == "account_open_date":
                base += self._time_clause("p.account_open_date")
            source = "gold.customer_360_profile p"
        filters = list(filters)
        if direction:  # a ranking: a group without a value ("no channel") must not win
            for g in groups:
                if not g.is_time:
                    base.append(f"{g.expr} is not null")
                    filters.append(
                        _Filter(
                            "", f"{g.label.lower()} known (rows without one left out)", g.entity
                        )
                    )
        sql = (
            "select " + ",\n       ".join(select) + "\nfrom " + source + self._where(base, filters)
        )
        order = None
        limit = self.limit
        if groups:
            sql += "\ngroup by " + ", ".join(g.alias for g in groups)
            time_groups = [g for g in groups if g.is_time]
            first = measures[0]
            if direction or limit:
                order = (first.alias, direction or "desc")
                tie = ", ".join(g.alias for g in groups)
                sql += f"\norder by {first.alias} {order[1]} nulls last, {tie}"
                sort_only = any(
                    a in DESC_WORDS | ASC_WORDS and b == "first"
                    for a, b in itertools.pairwise(words)
                )
                if limit is None and not sort_only:
                    singular = self._singular(words, groups)
                    if singular:
                        limit = 1
                    elif any(g.many for g in groups):
                        limit = DEFAULT_RANKING_LIMIT
            elif time_groups:
                keys = [g.order_expr or g.alias for g in time_groups]
                keys += [g.alias for g in groups if not g.is_time]
                order = (time_groups[0].alias, "asc")
                sql += "\norder by " + ", ".join(keys)
            else:
                order = (first.alias, "desc")
                tie = ", ".join(g.alias for g in groups)
                sql += f"\norder by {first.alias} desc nulls last, {tie}"
        if limit is not None:
            sql += f"\nlimit {int(limit)}"
        return Plan(
            question=self.text,
            sql=sql,
            kind="aggregate",
            measures=[Output(m.alias, m.label, m.format) for m in measures],
            dimensions=[
                Output(g.alias, g.label, "date" if g.is_time else "text", g.plural) for g in groups
            ],
            time_grain=next((g.alias for g in groups if g.is_time), None),
            filters=[f.text for f in self.filters]
            + [f.text for f in filters if not f.sql and f not in self.filters],
            time=self.time,
            order=order,
            limit=limit,
        )

    def _rollup(self, measures: list[_Metric], groups: list[_Group]):
        """(select, source, where, filters) on a pre-aggregated table, or None when the
        question needs fct_transactions (a category, channel, merchant or amount; a day,
        week or weekday grain; a time range that is not whole months)."""
        for rollup in self.model.rollups:
            planned = self._on_rollup(rollup, measures, groups)
            if planned is not None:
                return planned
        return None

    def _on_rollup(self, rollup, measures: list[_Metric], groups: list[_Group]):
        if self.time is not None:
            start, end = self.time.start, self.time.end
            as_of_end = self.p.as_of + timedelta(days=1)
            if start.day != 1 or not (end.day == 1 or end == as_of_end):
                return None
        filters, group_column, status = [], None, None
        for f in self.filters:
            single = len(f.values) == 1 and not f.negated
            if f.entity == "customer":
                filters.append(f)
            elif f.dim == "transaction_status" and single:
                status = f.values[0]  # "declined transactions": the declined counts
            elif f.dim == "category_group" and single:
                group_column = rollup.category_group_spend.get(f.values[0])
                if group_column is None:
                    return None
            else:
                return None
        aliases = [m.alias for m in measures]
        if not all(a in rollup.measures for a in aliases):
            return None
        if group_column and (aliases != ["total_spend"] or status == "Declined"):
            return None
        rename: dict[str, str] = {}
        if status == "Declined":
            if not set(aliases) <= {"transactions", "declined_transactions"}:
                return None
            rename = {a: "declined_transactions" for a in aliases}
        elif status == "Approved" and set(aliases) & {"declined_transactions", "decline_rate"}:
            return None
        select = []
        for g in groups:
            if g.is_time and g.alias in rollup.grains:
                select.append(f"{rollup.grains[g.alias]} as {g.alias}")
            elif not g.is_time and g.entity == "customer":
                select.append(f"{g.expr} as {g.alias}")
            else:
                return None
        for m in measures:
            expr = (
                f"sum({group_column})"
                if group_column
                else rollup.measures[rename.get(m.alias, m.alias)]
            )
            select.append(f"{expr} as {m.alias}")
        source = rollup.source
        if filters or any(g.entity == "customer" and not g.is_time for g in groups):
            source += f"\njoin gold.customer_360_profile p on {rollup.customer_join}"
        # only rows with the transactions the measures count, as fct_transactions has
        where = self._time_clause(rollup.time_column)
        statuses = {f"t.status = '{status}'"} if status else {m.where or "any" for m in measures}
        if group_column:
            where.append(f"{group_column} > 0")
        elif statuses == {"t.status = 'Approved'"}:
            where.append(rollup.activity["approved"])
        elif statuses == {"t.status = 'Declined'"}:
            where.append(rollup.activity["declined"])
        else:
            where.append(rollup.activity["any"])
        return select, source, where, filters

    def _singular(self, words: list[str], groups: list[_Group]) -> bool:
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

    def _customer_list(self, direction, sort_fact: Fact | None, extra: list[str]) -> Plan:
        if any(f.entity == "transaction" for f in self.filters):
            raise PlanningError(
                "Transaction filters (category, channel, amount) describe transactions, not "
                "customers; ask for 'transactions ...' or for spend by customer."
            )
        contact = any(f.text.startswith(("contactable", "eligible")) for f in self.filters)
        columns = list(self.model.lists["customer_contact" if contact else "customer"])
        for expr in extra:
            if expr not in columns:
                columns.append(expr)
        for f in self.filters:
            for col in re.findall(r"\bp\.(\w+)", f.sql):
                expr = f"p.{col}"
                if expr not in columns and col not in ("full_name", "customer_id"):
                    columns.append(expr)
        if sort_fact is not None:
            key = sort_fact.expr
            direction = direction or "desc"
        elif any("churn_risk_tier" in f.sql for f in self.filters):
            key, direction = "p.churn_risk_score", direction or "desc"
        else:
            key, direction = "p.lifetime_value", direction or "desc"
        limit = self.limit
        if limit is None:
            limit = DEFAULT_RANKING_LIMIT if (sort_fact is not None) else DEFAULT_LIST_LIMIT
        sql = (
            "select "
            + ", ".join(columns)
            + "\nfrom gold.customer_360_profile p"
            + self._where(self._time_clause("p.account_open_date"))
            + f"\norder by {key} {direction} nulls last, p.customer_id"
            + f"\nlimit {int(limit)}"
        )
        order_alias = key.split(".")[-1]
        return Plan(
            question=self.text,
            sql=sql,
            kind="customers",
            measures=[],
            dimensions=[],
            time_grain=None,
            filters=[f.text for f in self.filters],
            time=self.time,
            order=(order_alias, direction),
            limit=limit,
        )

    def _transaction_list(self, direction, extra: list[str]) -> Plan:
        columns = list(self.model.lists["transaction"])
        declined = any("Declined" in f.sql for f in self.filters)
        base = [] if declined else ["t.status = 'Approved'"]
        base += self._time_clause("t.transaction_ts")
        source = (
            "gold.fct_transactions t"
            "\njoin gold.dim_merchant_category c on t.category_key = c.category_key"
        )
        if any(f.entity == "customer" for f in self.filters):
            source += "\njoin gold.customer_360_profile p on t.customer_id = p.customer_id"
        words = {t.text for t in self.tokens}
        if words & {"recent", "latest", "newest", "last"} and not direction:
            key, direction = "t.transaction_ts", "desc"
        else:
            key, direction = "t.amount", direction or "desc"
        limit = self.limit or (DEFAULT_RANKING_LIMIT if direction else DEFAULT_LIST_LIMIT)
        sql = (
            "select "
            + ", ".join(columns)
            + "\nfrom "
            + source
            + self._where(base)
            + f"\norder by {key} {direction}, t.transaction_id"
            + f"\nlimit {int(limit)}"
        )
        return Plan(
            question=self.text,
            sql=sql,
            kind="transactions",
            measures=[],
            dimensions=[],
            time_grain=None,
            filters=[f.text for f in self.filters],
            time=self.time,
            order=(key.split(".")[-1], direction),
            limit=limit,
        )


def _num(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _fmt_number(tok: Token) -> str:
    """The number as the question wrote it (a float would mangle 99999999999999999999)."""
    digits = re.sub(r"^\$|[km%]$", "", tok.text)
    exact = re.fullmatch(r"\d+", digits) and not tok.text.endswith(("k", "m"))
    text = f"{int(digits):,}" if exact else _num(tok.value or 0)
    if tok.money:
        text = "$" + text
    if tok.percent:
        text += "%"
    return repr(text)
