"""The planner's English: word lists and the limits it applies to answers."""

from c360.assistant import timerange

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

# Words that mark a follow-up ("and for Texas?", "what about 2024", "show me those customers").
FOLLOWUP_STARTS = {"and", "now", "only", "just", "exclude", "excluding", "except", "without"}
FOLLOWUP_STARTS |= {"but", "instead", "also", "same", "then", "ok", "okay", "so"}
FOLLOWUP_PAIRS = {("what", "about"), ("how", "about"), ("what", "if")}
FOLLOWUP_WEAK_STARTS = {"for", "in", "by", "over", "during", "among", "of"}
ANAPHORA = {"those", "them", "these", "they", "it", "same", "that"}
FOLLOWUP_WORDS = {"about", "instead", "again", "ones", "rather", "what", "if", "okay", "ok"}
FOLLOWUP_WORDS |= {"it", "please", "too", "sort", "sorted", "filter", "only"}
