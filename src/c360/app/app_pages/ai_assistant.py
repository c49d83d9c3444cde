"""AI Assistant: ask about the portfolio in plain English; answers with table, chart and SQL.

Only drawing here: planning, the SQL guard, running, summaries, chart choice, logging and
feedback live in `c360.assistant`.
"""

import uuid
from pathlib import Path

import plotly.express as px
import streamlit as st

from c360.app import queries, ui
from c360.assistant.answer import Answer
from c360.assistant.conversation import Conversation
from c360.assistant.limits import MAX_QUESTION_CHARS
from c360.assistant.llm import LLMConfig, LLMError
from c360.assistant.service import Assistant, AssistantError

HISTORY = "assistant_history"
CONVERSATION = "assistant_conversation"  # follow-ups build on it
PENDING = "assistant_pending"
FORMAT_COLUMNS = {
    "money": lambda label: st.column_config.NumberColumn(label, format="dollar"),
    "percent": lambda label: st.column_config.NumberColumn(label, format="percent"),
    "count": lambda label: st.column_config.NumberColumn(label, format="localized"),
}

wh = ui.current_warehouse()


def _llm_config() -> LLMConfig | None:
    try:
        return LLMConfig.from_env()
    except LLMError:
        return None


@st.cache_resource(max_entries=2, show_spinner=False, on_release=lambda a: a.close())
def _assistant(path: str, identity: tuple, llm: LLMConfig | None) -> Assistant:
    """One assistant (its own read-only connection) per published build; `Assistant.open`
    picks the engine from C360_TARGET: the DuckDB file at `path`, or Snowflake."""
    return Assistant.open(Path(path) if path else None, llm_config=llm)


def _build_key() -> tuple[str, tuple]:
    """What identifies the build the assistant reads (a new build gets a new assistant,
    and the one of the build it replaced is closed: queries.superseded)."""
    if queries.is_snowflake(wh):
        return "", (wh.database, wh.build_id)
    old = queries.superseded("assistant", wh.path, wh.identity)
    if old is not None:
        _assistant.clear(wh.path, old, _llm_config())
    return wh.path, wh.identity


def _clear() -> None:
    st.session_state[HISTORY].clear()
    st.session_state.pop(CONVERSATION, None)


def _ask(question: str) -> None:
    st.session_state[PENDING] = question


def _store_feedback(entry_id: str) -> None:
    entry = next(e for e in st.session_state[HISTORY] if e["id"] == entry_id)
    value = st.session_state.get(f"assistant_feedback_{entry_id}")
    if value is None:
        return
    answer: Answer = entry["answer"]
    rating = "up" if value == 1 else "down"
    _assistant(*_build_key(), _llm_config()).feedback(
        answer.question, answer.sql, rating, engine=answer.engine
    )
    entry["feedback"] = rating


def _chart(answer: Answer) -> None:
    spec = answer.chart
    if spec is None:
        return
    frame = answer.frame()
    labels = {spec.x: spec.x.replace("_", " ").capitalize(), spec.y: spec.title or spec.y}
    if spec.kind == "line":
        fig = px.line(frame, x=spec.x, y=spec.y, color=spec.color, markers=True, labels=labels)
    else:
        frame = frame.assign(**{spec.x: frame[spec.x].fillna("(none)").astype(str)})
        fig = px.bar(frame, x=spec.x, y=spec.y, color=spec.color, labels=labels)
        if spec.x == "behavioral_segment" and spec.color is None:
            colours = ui.segment_colour_map(frame[spec.x])
            fig.update_traces(marker_color=[colours[v] for v in frame[spec.x]])
    fig.update_layout(height=340, margin=dict(l=0, r=10, t=10, b=0), legend_title_text="")
    if answer.formats.get(spec.y) == "percent":
        fig.update_yaxes(tickformat=".0%")
    st.plotly_chart(fig, width="stretch", config=ui.plotly_config())


def _show_answer(entry: dict) -> None:
    answer: Answer = entry["answer"]
    if answer.status == "clarify":
        st.info(ui.plain(answer.message), icon=":material/help:")
        for i, suggestion in enumerate(answer.suggestions):
            st.button(
                suggestion,
                key=f"assistant_suggest_{entry['id']}_{i}",
                on_click=_ask,
                args=(suggestion,),
                icon=":material/arrow_forward:",
            )
        return
    if answer.status in ("refused", "error"):
        st.error(ui.plain(answer.message), icon=":material/block:")
        if answer.sql:
            st.code(answer.sql, language="sql")
        return
    st.markdown(ui.plain(answer.summary))
    if answer.interpretation:
        st.caption("Understood as: " + ui.plain(answer.interpretation))
    if answer.rows:
        _chart(answer)
        st.dataframe(
            answer.frame(),
            hide_index=True,
            width="stretch",
            column_config={
                c: FORMAT_COLUMNS[f](c) for c, f in answer.formats.items() if f in FORMAT_COLUMNS
            },
        )
    if answer.truncated:
        st.caption(f"Showing the first {len(answer.rows):,} rows.")
    st.code(answer.sql or "", language="sql")
    st.feedback(
        "thumbs",
        key=f"assistant_feedback_{entry['id']}",
        on_change=_store_feedback,
        args=(entry["id"],),
    )
    if entry.get("feedback"):
        st.caption(f"Thanks — feedback ({entry['feedback']}) saved.")


st.title("AI Assistant")
llm_config = _llm_config()
try:
    assistant = _assistant(*_build_key(), llm_config)
except AssistantError as exc:
    st.error(ui.plain(str(exc)))
    st.stop()

info = queries.build_info(wh)
engines = ["offline", "llm"] if llm_config else ["offline"]
st.caption(
    "Ask about customers, segments, churn risk, spending and campaigns in plain English. "
    "Follow-ups such as *and for Texas?* or *show me those customers* build on the "
    "previous answer. Answers come from one read-only, checked SQL query over the gold "
    "tables, as of "
    f"**{ui.date_text(info['as_of_date'])}**."
)
engine = "offline"
if llm_config:
    engine = st.radio(
        "Engine",
        engines,
        horizontal=True,
        key="assistant_engine",
        format_func=lambda e: "Offline planner" if e == "offline" else f"LLM ({llm_config.model})",
    )

history: list[dict] = st.session_state.setdefault(HISTORY, [])

with st.expander("Suggested questions", expanded=not history, icon=":material/lightbulb:"):
    themes = assistant.model.suggested_questions
    for tab, (theme, questions) in zip(
        st.tabs([t.capitalize() for t in themes]), themes.items(), strict=True
    ):
        with tab:
            for i, question in enumerate(questions):
                st.button(
                    question,
                    key=f"assistant_theme_{theme}_{i}",
                    on_click=_ask,
                    args=(question,),
                    type="tertiary",
                    icon=":material/arrow_forward:",
                )

typed = st.chat_input(
    "Ask a question about the portfolio", key="assistant_input", max_chars=MAX_QUESTION_CHARS
)
question = typed or st.session_state.pop(PENDING, None)
if question:
    with st.spinner("Answering"):
        try:
            conversation = st.session_state.setdefault(CONVERSATION, Conversation())
            answer = assistant.ask(question, engine=engine, conversation=conversation)
        except AssistantError as exc:
            answer = Answer(question, engine, "error", message=str(exc))
    history.append({"id": uuid.uuid4().hex[:12], "answer": answer, "feedback": None})

for entry in history:
    with st.chat_message("user"):
        st.markdown(ui.plain(entry["answer"].question))
    with st.chat_message("assistant"):
        _show_answer(entry)

if history:
    st.button(
        "Clear conversation",
        key="assistant_clear",
        on_click=_clear,
        icon=":material/delete:",
    )
