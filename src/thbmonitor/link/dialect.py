"""The model's SQL, written once in DuckDB's dialect, rendered for Spark SQL.

`comparisons.py` writes every condition, blocking rule and the input query in
DuckDB SQL. For the Spark engine they are not copied by hand: `spark_sql`
transpiles them with sqlglot (the parser Splink itself uses, duckdb → spark)
and then applies the few rewrites sqlglot cannot make without knowing the
columns' types:

* **Bloom filters.** DuckDB stores them as BITSTRING (`*_bloom` columns),
  which has no Spark type. On Spark (and in the Parquet hand-off) a filter is
  an `array<bigint>` of 64-bit words, most significant bit first, padded with
  zeros to a whole word (`bloom_words`); `bit_count(a & b)` becomes
  `aggregate(zip_with(a, b, (x, y) -> bit_count(x & y)), 0L, ...)` and
  `bit_count(a)` the sum of the words' bit counts. Dice is the same number
  on both engines (zero padding adds no bits). The store keeps BITSTRING
  (the linkage model's type); on DuckDB 1.4 the same Dice over the words
  took 0.7x the time of `bit_count(a & b)` over BITSTRING (bench/bench_spark.py,
  1,080,174 pairs), so the words would serve both engines: see docs/scale.md.
* **Lists.** DuckDB's `len()` on a list is sqlglot's string `LENGTH`; on a
  list column (`LIST_COLUMNS`) or a list expression it becomes Spark's
  `size()`; `list_intersect` becomes `array_intersect`.
* **Row values.** `arg_max(x, (a, b))` orders by a struct on Spark;
  `GROUPING(a, b)` of several columns is the sum of single `grouping()`
  bits on Spark (its `grouping_id` takes only all grouping columns).
* **List overlap and mode.** `list_has_any(a, b)` becomes `arrays_overlap(a, b)`;
  `mode(x)` becomes Spark's deterministic `mode(x, true)` (a tie gives the
  smallest value; DuckDB's gives the first in scan order: see docs/scale.md).
* **Damerau-Levenshtein** has no Spark built-in; the name is kept and the
  Spark session registers Splink's own Scala UDF of that name
  (`spark_engine.spark_session`).

`spark_settings(settings)` renders a whole Splink settings dictionary;
`duckdb_model(trained, canonical)` maps a model trained on Spark back to the
DuckDB text of every condition, so the saved model JSON is the same document
for both engines (only m, u and the prior are the engine's).
"""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any, cast

import sqlglot
from sqlglot import exp

from thbmonitor.errors import ThbError

#: A column holding a Bloom filter: BITSTRING in DuckDB, array<bigint> on Spark.
BLOOM_COLUMN = re.compile(r"^[a-z_]+_bloom(_l|_r)?$")
#: List columns of the model's input (DuckDB `VARCHAR[]`, Spark `array<string>`).
LIST_COLUMNS = ("exploitation",)
#: Bits per word of a Bloom filter on Spark.
WORD_BITS = 64

_SUM_WORDS = "aggregate({words}, 0L, (s, v) -> s + v)"


class DialectError(ThbError):
    """A condition of the model could not be rendered for Spark (names the condition)."""


def _is_bloom(node: exp.Expression) -> bool:
    return isinstance(node, exp.Column) and bool(BLOOM_COLUMN.match(node.name))


def _is_list(node: exp.Expression) -> bool:
    if not isinstance(node, exp.Column):
        return False
    base = re.sub(r"_(l|r)$", "", node.name)
    return base in LIST_COLUMNS


def _spark_expr(sql: str) -> exp.Expression:
    return cast(exp.Expression, sqlglot.parse_one(sql, read="spark"))


def _col(node: exp.Expression) -> str:
    return node.sql(dialect="spark")


#: Expressions that produce a list, so `len()` of them is Spark's `size()`.
_LIST_EXPRESSIONS = (exp.Array, exp.ArrayDistinct, exp.ArrayFilter, exp.ArrayIntersect,
                     exp.ArraySort, exp.ArrayConcat, exp.Flatten, exp.ArrayAgg)
#: DuckDB list functions sqlglot leaves by name, and their Spark names.
_RENAMED = {"list_intersect": "array_intersect"}


def _listy(node: exp.Expression) -> bool:
    return _is_list(node) or isinstance(node, _LIST_EXPRESSIONS) or (
        isinstance(node, exp.Anonymous) and node.name.lower().startswith(("list_", "array_")))


def _rewrite(node: exp.Expression) -> exp.Expression:
    """The rewrites sqlglot cannot make: Bloom words, list sizes, tuples, grouping ids."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "bit_count":
        arg = node.expressions[0]
        if isinstance(arg, exp.Paren):
            arg = arg.this
        if isinstance(arg, exp.BitwiseAnd) and _is_bloom(arg.this) and _is_bloom(arg.expression):
            words = (f"zip_with({_col(arg.this)}, {_col(arg.expression)}, "
                     "(x, y) -> bit_count(x & y))")
            return _spark_expr(_SUM_WORDS.format(words=words))
        if _is_bloom(arg):
            words = f"transform({_col(arg)}, x -> bit_count(x))"
            return _spark_expr(_SUM_WORDS.format(words=words))
    if isinstance(node, exp.Anonymous) and node.name.lower() in _RENAMED:
        return exp.Anonymous(this=_RENAMED[node.name.lower()],
                             expressions=[e.transform(_rewrite) for e in node.expressions])
    # DuckDB's list_has_any: sqlglot writes `a && b`, which Spark SQL does not parse.
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="arrays_overlap", expressions=[
            node.this.transform(_rewrite), node.expression.transform(_rewrite)])
    # mode(): Spark's picks any of tied values; with `true` the smallest, so that a tie
    # gives the same value on every run (DuckDB takes the first in scan order).
    # DuckDB's `mode(x ORDER BY x)` takes the smallest of tied values too: the same.
    if isinstance(node, exp.Mode):
        value = node.this
        if isinstance(value, exp.Order):
            keys = value.expressions
            if (len(keys) != 1 or keys[0].args.get("desc")
                    or keys[0].this.sql() != value.this.sql()):
                raise DialectError("mode() ordered by anything but its own value, ascending, "
                                   "has no Spark form")
            value = value.this
        return exp.Anonymous(this="mode", expressions=[value.transform(_rewrite),
                                                       exp.Boolean(this=True)])
    if isinstance(node, exp.Length) and _listy(node.this):
        # a replaced node's children are not visited again: rewrite them here
        return exp.ArraySize(this=node.this.transform(_rewrite))
    if isinstance(node, exp.BitwiseAnd) and (_is_bloom(node.this) or _is_bloom(node.expression)):
        raise DialectError("a Bloom filter is only ever compared inside bit_count(a & b)")
    # DuckDB orders arg_max by a row value (a, b, c); Spark by a struct of the same fields,
    # which compares field by field the same way.
    if isinstance(node, exp.ArgMax | exp.ArgMin) and isinstance(node.expression, exp.Tuple):
        node.set("expression", exp.Struct(expressions=node.expression.expressions))
        return node
    # GROUPING(a, b, ...) of several columns: one bit per column, the first the most
    # significant. Spark's grouping() takes one column (its grouping_id() only all the
    # grouping columns), so the bits are added up from single groupings.
    if isinstance(node, exp.Grouping) and len(node.expressions) > 1:
        n = len(node.expressions)
        bits = " + ".join(f"CAST(grouping({_col(c)}) AS INT) * {1 << (n - 1 - i)}"
                          for i, c in enumerate(node.expressions))
        return exp.Paren(this=_spark_expr(bits))
    return node


@cache
def spark_sql(sql: str, *, statement: bool = False) -> str:
    """DuckDB SQL (a condition, or with `statement` a whole query) as Spark SQL."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
        rendered = tree.transform(_rewrite).sql(dialect="spark", pretty=statement)
    except sqlglot.errors.SqlglotError as exc:
        raise DialectError(f"cannot render for Spark: {sql!r} ({exc})") from exc
    return rendered


def _render_level(level: dict[str, Any]) -> dict[str, Any]:
    out = dict(level)
    if level["sql_condition"].strip().upper() != "ELSE":
        out["sql_condition"] = spark_sql(level["sql_condition"])
    return out


def spark_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """A Splink settings dictionary (or a trained model) with every SQL text for Spark."""
    out = copy.deepcopy(settings)
    for comparison in out.get("comparisons", []):
        comparison["comparison_levels"] = [
            _render_level(level) for level in comparison["comparison_levels"]]
    for rule in out.get("blocking_rules_to_generate_predictions", []):
        rule["blocking_rule"] = spark_sql(rule["blocking_rule"])
        rule["sql_dialect"] = "spark"
    out["sql_dialect"] = "spark"
    return out


def duckdb_model(trained: dict[str, Any], canonical: dict[str, Any]) -> dict[str, Any]:
    """A model trained on Spark, with the DuckDB text of every condition and rule.

    `canonical` is the model (or settings) it was rendered from; the two have
    the same comparisons and levels in the same order (Splink keeps them), so
    the text is taken back by position and everything else (m, u, the prior,
    term-frequency settings) from `trained`.
    """
    out = copy.deepcopy(trained)
    theirs, ours = out.get("comparisons", []), canonical.get("comparisons", [])
    if [c["output_column_name"] for c in theirs] != [c["output_column_name"] for c in ours]:
        raise DialectError("the trained model's comparisons are not the settings' comparisons")
    for mine, source in zip(theirs, ours, strict=True):
        levels, originals = mine["comparison_levels"], source["comparison_levels"]
        if len(levels) != len(originals):
            raise DialectError(f"comparison {mine['output_column_name']!r} lost a level")
        for level, original in zip(levels, originals, strict=True):
            level["sql_condition"] = original["sql_condition"]
    rules = canonical.get("blocking_rules_to_generate_predictions", [])
    trained_rules = out.get("blocking_rules_to_generate_predictions")
    if trained_rules is not None:
        if len(trained_rules) != len(rules):
            raise DialectError("the trained model's blocking rules are not the settings' rules")
        for rule, original in zip(trained_rules, rules, strict=True):
            rule["blocking_rule"] = (original["blocking_rule"] if isinstance(original, dict)
                                     else str(original))
            if "sql_dialect" in rule:
                rule["sql_dialect"] = "duckdb"
    if "sql_dialect" in out:
        out["sql_dialect"] = "duckdb"
    return out


def _literal(value: Any) -> exp.Expression:
    """A bound parameter as a SQL literal (our own dates, numbers and vocabularies)."""
    import datetime as dt

    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMP)
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[_literal(v) for v in value])
    raise DialectError(f"cannot bind a parameter of type {type(value).__name__}")


def _values_from_unnests(node: exp.Expression) -> exp.Expression:
    """`SELECT unnest([..]) AS a, unnest([..]) AS b` (DuckDB zips them) as a VALUES table.

    Spark allows one generator per SELECT; the arrays are literals once bound.
    """
    if not isinstance(node, exp.Select) or node.args.get("from_") or node.args.get("from"):
        return node
    projections = node.expressions
    if not projections or not all(
            isinstance(p, exp.Alias) and isinstance(p.this, exp.Explode | exp.Unnest)
            and isinstance(p.this.this, exp.Array) for p in projections):
        return node
    names = [p.alias for p in projections]
    columns = [p.this.this.expressions for p in projections]
    if len({len(c) for c in columns}) != 1:
        raise DialectError("unnest of lists of different lengths")
    if not columns[0]:
        nulls = ", ".join(f"CAST(NULL AS STRING) AS {n}" for n in names)
        return cast(exp.Expression,
                    sqlglot.parse_one(f"SELECT {nulls} WHERE FALSE", read="spark"))
    rows = [exp.Tuple(expressions=list(row)) for row in zip(*columns, strict=True)]
    values = exp.Values(expressions=rows, alias=exp.TableAlias(
        this=exp.to_identifier("t"), columns=[exp.to_identifier(n) for n in names]))
    return exp.select(*names).from_(values)


def spark_query(sql: str, params: dict[str, Any] | None = None) -> str:
    """A DuckDB query with named parameters (`$name`) as one Spark SQL statement.

    The parameters are bound as literals (Spark SQL cannot bind lists or
    dates by name portably); they are the figures' own dates and vocabularies,
    never user input.
    """
    bound = dict(params or {})
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")

        def bind(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Placeholder) and node.name:
                if node.name not in bound:
                    raise DialectError(f"parameter ${node.name} is not given")
                return _literal(bound[node.name])
            return node

        tree = tree.transform(bind).transform(_values_from_unnests).transform(_rewrite)
        return tree.sql(dialect="spark", pretty=True)
    except sqlglot.errors.SqlglotError as exc:
        raise DialectError(f"cannot render for Spark ({exc})") from exc
