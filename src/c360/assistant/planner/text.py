"""Text to tokens, and the vocabulary tokens are matched against (from the semantic model
and the warehouse's values)."""

import re
from dataclasses import dataclass

from c360.assistant import timerange
from c360.assistant.planner.lexicon import (
    CUSTOMER_WORDS,
    FILLER,
    NUMBER_WORDS,
    TRANSACTION_WORDS,
)
from c360.assistant.semantic import SemanticModel


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


def num(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def fmt_number(tok: Token) -> str:
    """The number as the question wrote it (a float would mangle 99999999999999999999)."""
    digits = re.sub(r"^\$|[km%]$", "", tok.text)
    exact = re.fullmatch(r"\d+", digits) and not tok.text.endswith(("k", "m"))
    text = f"{int(digits):,}" if exact else num(tok.value or 0)
    if tok.money:
        text = "$" + text
    if tok.percent:
        text += "%"
    return repr(text)
