"""A query spec to one SQL query, from the semantic model's expressions.

The compiler decides nothing about meaning: the spec says what to compute, for whom, when,
in which order and how many rows; the compiler picks the tables (a pre-aggregated rollup
when one answers the question), the joins, the defaults for the limit and the order, and
refuses combinations no query can express (a customer measure split by transaction time).
"""

import dataclasses
import re
from datetime import timedelta

from c360.assistant import timerange
from c360.assistant.planner.joins import aliases, joins
from c360.assistant.planner.lexicon import (
    DEFAULT_LIST_LIMIT,
    DEFAULT_RANKING_LIMIT,
)
from c360.assistant.planner.spec import (
    Filter,
    Group,
    Metric,
    Output,
    Plan,
    PlanningError,
    QuerySpec,
)
from c360.assistant.planner.sqlparts import query, time_clause, with_filter


def compile_spec(planner, spec: QuerySpec) -> Plan:
    """The plan (SQL and its description) for `spec`; PlanningError when no query can."""
    return _Compiler(planner, spec).plan()


class _Compiler:
    def __init__(self, planner, spec: QuerySpec):
        self.p = planner
        self.model = planner.model
        self.spec = spec
        self.text = spec.question
        self.filters: list[Filter] = list(spec.filters)
        self.time = spec.time
        self.limit = spec.limit

    def plan(self) -> Plan:
        spec = self.spec
        time_dim = time_dimension(self, spec.timedims, spec.measures, spec.groups, spec.grains)
        if spec.kind == "transactions":
            plan = self._transaction_list(spec.direction, spec.list_columns)
        elif spec.kind == "customers":
            if self.time is not None and time_dim != "account_open_date":
                raise PlanningError(
                    "A customer list describes customers as of the as-of date; a time range "
                    "only applies to transactions or account openings. Try 'customers who "
                    "opened their account in 2025' or 'spend by customer in 2025'."
                )
            sort_fact = self.model.fact(spec.sort_fact) if spec.sort_fact else None
            plan = self._customer_list(spec.direction, sort_fact, spec.list_columns)
        else:
            groups = list(spec.groups)
            for grain in dict.fromkeys(spec.grains):
                groups.append(self._grain_group(time_dim, grain))
            measures = list(spec.measures)
            transaction = (
                time_dim == "transaction_time"
                or any(m.entity == "transaction" for m in measures)
                or any(g.entity == "transaction" for g in groups)
                or any(f.entity == "transaction" for f in self.filters)
            )
            plan = self._aggregate(measures, groups, transaction, spec.direction, time_dim)
        plan.spec = spec
        return plan

    def _grain_group(self, time_dim: str | None, grain: str) -> Group:
        td = self.model.time_dimension(time_dim or "transaction_time")
        spec = td.grains.get(grain)
        if spec is None:
            raise PlanningError(f"{td.label} can't be grouped by {grain}.")
        order_expr = "min(isodow(t.transaction_ts))" if grain == "weekday" else None
        alias = "day_of_week" if grain == "weekday" else grain
        if td.name == "account_open_date":
            alias = f"opening_{grain}"
        plural = spec.label.lower() + "s"
        return Group(alias, spec.expr, spec.label, td.entity, True, False, order_expr, plural)

    # -- step 4: SQL --

    def _time_clause(self, column: str) -> list[str]:
        return time_clause(column, self.time)

    def _aggregate(self, measures, groups, transaction, direction, time_dim) -> Plan:
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
        joined: list[tuple[str, str]] = []
        rollup = self._rollup(measures, groups) if transaction else None
        if rollup is not None:
            select, source, joined, base, filters = rollup
        elif transaction:
            if any(f.dim == "transaction_status" for f in self.filters):  # "declined ..."
                measures = [
                    dataclasses.replace(m, where=None)
                    if m.where and m.where.startswith("t.status")
                    else m
                    for m in measures
                ]
            wheres = {m.where for m in measures}
            if len(wheres) == 1:
                common = next(iter(wheres))
                base += [common] if common else []
                select += [f"{m.expr} as {m.alias}" for m in measures]
            else:
                select += [
                    f"{with_filter(m.expr, m.where) if m.where else m.expr} as {m.alias}"
                    for m in measures
                ]
            base += self._time_clause("t.transaction_ts")
            used = [g.expr for g in groups] + [f.sql for f in self.filters]
            source = "gold.fct_transactions t"
            joined = joins(self.model, "t", aliases(used))
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
                        Filter("", f"{g.label.lower()} known (rows without one left out)", g.entity)
                    )
        order = None
        order_by: list[str] = []
        limit = self.limit
        if groups:
            time_groups = [g for g in groups if g.is_time]
            first = measures[0]
            ties = [g.alias for g in groups]
            if direction or limit:
                order = (first.alias, direction or "desc")
                order_by = [f"{first.alias} {order[1]} nulls last", *ties]
                if limit is None and not self.spec.sort_only:
                    if self.spec.singular:
                        limit = 1
                    elif any(g.many for g in groups):
                        limit = DEFAULT_RANKING_LIMIT
            elif time_groups:
                order_by = [g.order_expr or g.alias for g in time_groups]
                order_by += [g.alias for g in groups if not g.is_time]
                order = (time_groups[0].alias, "asc")
            else:
                order = (first.alias, "desc")
                order_by = [f"{first.alias} desc nulls last", *ties]
        where = base + [f.sql for f in filters if f.sql]
        group_by = [g.alias for g in groups]
        sql = query(select, source, joined, where, group_by, order_by, limit)
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
            tables=_tables(source, joined),
        )

    def _rollup(self, measures: list[Metric], groups: list[Group]):
        """(select, source, joins, where, filters) on a pre-aggregated table, or None when the
        question needs fct_transactions (a category, channel, merchant or amount; a day,
        week or weekday grain; a time range that is not whole months)."""
        for rollup in self.model.rollups:
            planned = self._on_rollup(rollup, measures, groups)
            if planned is not None:
                return planned
        return None

    def _on_rollup(self, rollup, measures: list[Metric], groups: list[Group]):
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
        joined = []
        if filters or any(g.entity == "customer" and not g.is_time for g in groups):
            joined.append(("gold.customer_360_profile p", rollup.customer_join))
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
        return select, rollup.source, joined, where, filters

    def _customer_list(self, direction, sort_fact, extra: list[str]) -> Plan:
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
        elif any(f.dim == "churn_risk_tier" for f in self.filters):
            key, direction = "p.churn_risk_score", direction or "desc"
        else:
            key, direction = "p.lifetime_value", direction or "desc"
        limit = self.limit
        if limit is None:
            limit = DEFAULT_RANKING_LIMIT if (sort_fact is not None) else DEFAULT_LIST_LIMIT
        where = self._time_clause("p.account_open_date") + [f.sql for f in self.filters if f.sql]
        order_by = [f"{key} {direction} nulls last", "p.customer_id"]
        source = "gold.customer_360_profile p"
        sql = query(columns, source, [], where, [], order_by, limit)
        order_alias = key.split(".")[-1]
        return Plan(
            question=self.text,
            sql=sql,
            kind="customers",
            tables=_tables(source, []),
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
        status = any(f.dim == "transaction_status" for f in self.filters)
        base = [] if status else ["t.status = 'Approved'"]
        base += self._time_clause("t.transaction_ts")
        used = columns + [f.sql for f in self.filters]
        source = "gold.fct_transactions t"
        joined = joins(self.model, "t", aliases(used))
        if self.spec.recent and not direction:
            key, direction = "t.transaction_ts", "desc"
        else:
            key, direction = "t.amount", direction or "desc"
        limit = self.limit or (DEFAULT_RANKING_LIMIT if direction else DEFAULT_LIST_LIMIT)
        where = base + [f.sql for f in self.filters if f.sql]
        order_by = [f"{key} {direction}", "t.transaction_id"]
        sql = query(columns, source, joined, where, [], order_by, limit)
        return Plan(
            question=self.text,
            sql=sql,
            kind="transactions",
            tables=_tables(source, joined),
            measures=[],
            dimensions=[],
            time_grain=None,
            filters=[f.text for f in self.filters],
            time=self.time,
            order=(key.split(".")[-1], direction),
            limit=limit,
        )


def time_dimension(state, timedims, measures, groups, grains) -> str | None:
    """Which time dimension a time range or grain applies to; relabels `state.time` for
    account openings; refuses a time range on customer measures."""
    if "account_open_date" in timedims:
        if state.time is not None and not state.time.label.startswith("opened"):
            state.time = timerange.TimeRange(
                state.time.start, state.time.end, f"opened {state.time.label}"
            )
        if any(m.entity == "transaction" for m in measures):
            raise PlanningError(
                "Account opening dates and transaction measures don't mix in one answer; "
                "ask about new accounts or about spend separately."
            )
        return "account_open_date"
    if state.time is not None or grains:
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


def _tables(source: str, joined: list[tuple[str, str]]) -> tuple[str, ...]:
    """The tables a plan reads, without aliases ("gold.fct_transactions", ...)."""
    return tuple(t.split()[0] for t in [source, *(table for table, _ in joined)])
