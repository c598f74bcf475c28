"""The annual report: one self-contained HTML file in Dutch or English.

``render_report(release, lang=...)`` fills ``templates/report.html.j2`` (Jinja2,
autoescaped, gettext via the i18n extension) with a context made of plain
values: formatted strings, rows and inline SVG charts. No HTML is assembled
here. A release is a dict::

    {"figures": {... CONTRACTS §3, with "series" and (optionally) "findings"},
     "estimate": {... CONTRACTS §4} | None,
     "linkage": {"precision", "recall", "f1", "method", "pairs_reviewed"} | None,
     "provenance": {"version", "settings", "seed", "data_hash", "vintage", "generated_at"},
     "findings_rule": {... FindingRule.to_dict()} | None}

Findings missing from the figures are computed with the default rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

import thbmonitor
from thbmonitor.errors import UsageError
from thbmonitor.publish.charts import CHAIN_PATHS, darkfigure_chart, render_charts
from thbmonitor.publish.findings import FindingRule, find_changes, lookup, previous_value
from thbmonitor.publish.release_view import (
    cell_flags,
    concern_tables_shown,
    release_info,
    revision_rows,
)
from thbmonitor.publish.tables import MISSING, Table, cell_text, report_tables
from thbmonitor.publish.texts import LANGUAGES, N_, NOT_PUBLISHED, Texts, texts_for

__all__ = ["KEY_METRICS", "pdf_bytes", "pdf_document", "render_report", "report_context",
           "write_pdf", "write_publication", "write_report"]

TEMPLATE_DIR = Path(__file__).parent / "templates"
#: The rows of the key-figures table, in order.
KEY_METRICS = (
    "victims.total",
    "victims.by.age_group.minor",
    "victims.by.exploitation.sexual",
    "victims.by.exploitation.labour",
    "victims.by.exploitation.criminal",
    "reports.total",
    "chain.investigations.total",
    "chain.suspects.total",
    "chain.prosecution.registered",
    "chain.prosecution.summons_pct",
    "chain.verdicts.total",
    "chain.verdicts.conviction_pct",
)
#: Shown for last year's value when there is no data for last year at all.
NO_DATA = "–"


@cache
def _environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(texts_for(lang).translations, newstyle=True)  # type: ignore[attr-defined]
    return env


def _signed(t: Texts, value: float | None, digits: int = 0) -> str:
    if value is None:
        return NOT_PUBLISHED
    text = t.number(abs(value), digits)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def _change(t: Texts, metric: str, value: Any, previous: Any) -> tuple[str, str]:
    """The absolute and relative change as strings (points for a percentage)."""
    if value is None or previous is None:
        return NOT_PUBLISHED, NOT_PUBLISHED
    if metric.endswith("_pct"):
        return t._("%(points)s pp", points=_signed(t, value - previous)), ""
    relative = ""
    if previous:
        pct = 100 * (value - previous) / previous
        relative = ("+" if pct > 0 else "−" if pct < 0 else "") + t.percent(abs(pct))
    return _signed(t, value - previous), relative


def _has_previous_year(figures: Mapping[str, Any]) -> bool:
    years = {int(e["year"]) for e in figures.get("series") or []}
    return int(figures["year"]) - 1 in years or lookup(figures, "victims.previous") is not None


def _row(t: Texts, figures: Mapping[str, Any], metric: str, label: str) -> dict[str, str]:
    value, previous = lookup(figures, metric), previous_value(figures, metric)
    change, relative = _change(t, metric, value, previous)
    shown = t.value(metric, previous)
    if previous is None and not _has_previous_year(figures):
        shown = change = relative = NO_DATA
    return {"label": label, "value": t.value(metric, value),
            "previous": shown, "change": change, "relative": relative}


def _flag_row(row: dict[str, str], metric: str, year: int, release: Mapping[str, Any],
              info: Mapping[str, Any]) -> dict[str, str]:
    """A key-figures row with the flags of its two years (r revised, p provisional)."""
    if not release.get("release_id"):  # flags belong to a frozen release
        row["flag"] = row["previous_flag"] = ""
        return row
    revised = {str(c["path"]) for c in (release.get("revisions") or {}).get("revisions") or []}
    provisional = set(info.get("provisional") or [])
    row["flag"] = ("r" if metric in revised else "") + ("p" if year in provisional else "")
    row["previous_flag"] = (("r" if f"series.{year - 1}.{metric}" in revised else "")
                            + ("p" if year - 1 in provisional else ""))
    return row


def _when(t: Texts, value: Any) -> str:
    if not value:
        return ""
    try:
        return format_datetime(datetime.fromisoformat(str(value)), "medium", locale=t.locale)
    except ValueError:
        return str(value)


def _headline(t: Texts, figures: Mapping[str, Any]) -> str:
    year = int(figures["year"])
    total, previous = lookup(figures, "victims.total"), lookup(figures, "victims.previous")
    n = int(total or 0)
    values = {"total": t.number(total), "year": year, "previous_year": year - 1}
    if previous is None or total is None:
        return t.ngettext("%(total)s victim reported in %(year)s",
                          "%(total)s victims reported in %(year)s", n, **values)
    values["change"] = t.number(abs(total - previous))
    if total > previous:
        return t.ngettext("%(total)s victim reported in %(year)s, %(change)s more than in "
                          "%(previous_year)s", "%(total)s victims reported in %(year)s, "
                          "%(change)s more than in %(previous_year)s", n, **values)
    if total < previous:
        return t.ngettext("%(total)s victim reported in %(year)s, %(change)s fewer than in "
                          "%(previous_year)s", "%(total)s victims reported in %(year)s, "
                          "%(change)s fewer than in %(previous_year)s", n, **values)
    return t.ngettext("%(total)s victim reported in %(year)s, as many as in %(previous_year)s",
                      "%(total)s victims reported in %(year)s, as many as in %(previous_year)s",
                      n, **values)


METHOD_LABEL = {
    "pooled": N_("log-linear model over several years with covariates, interactions chosen "
                 "by an information criterion"),
    "stepwise": N_("log-linear model, interactions chosen step by step"),
    "bic": N_("log-linear model, interactions chosen by the BIC"),
    "main": N_("log-linear model of independent lists"),
    "fixed": N_("log-linear model with fixed interactions"),
}


def _method(t: Texts, method: str) -> str:
    return t._(METHOD_LABEL[method]) if method in METHOD_LABEL else method


COVARIATE_LABEL = {"dutch": N_("Dutch or non-Dutch nationality"), "year": N_("Year")}


def _term_part(t: Texts, part: str) -> str:
    """A list or covariate of a model term in the report's language."""
    if part in COVARIATE_LABEL:
        return t._(COVARIATE_LABEL[part])
    if part in ("age_group", "sex", "exploitation", "nationality_group"):
        return t.table_title(part)
    return t.label("source_type", part)


def _estimate(t: Texts, estimate: Mapping[str, Any] | None,
              breaks: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The dark-figure section: built by the estimate package from its result's dict, with
    the method and the model terms in the report's language."""
    from thbmonitor.estimate.report import estimate_context

    shown = estimate_context(t, estimate)
    if shown is not None:
        shown["method"] = _method(t, str(shown["method"]))
        # A model term `police:ngo` is the interaction of two lists: "Police × NGOs";
        # `police:age_group` that of a list and a covariate: "Police × Age group".
        shown["terms"] = [" × ".join(_term_part(t, part) for part in term.split(":"))
                          for term in shown["terms"]]
        shown["covariates"] = [_term_part(t, c) for c in shown["covariates"]]
        # The estimator's technical notes are English sentences; their codes are labelled.
        shown["warnings"] = [re.sub(r"\b(age_group|nationality_group|[a-z]+_[a-z_]+)\b",
                                    lambda m: _term_part(t, m.group(1)), w)
                             for w in shown["warnings"]]
        chart = darkfigure_chart(estimate, t, breaks)
        shown["chart"] = None if chart is None else {
            "name": chart.name, "title": chart.title, "description": chart.description,
            "svg": Markup(chart.svg)}
    return shown


def _patterns(t: Texts, patterns: Mapping[str, Any] | None) -> dict[str, str] | None:
    """Aggregate pattern counts; a withheld count (null) shows as not published."""
    if not patterns:
        return None
    keys = ("carousel_leads", "cross_border_networks", "networks_abroad_without_investigation")
    return {k: t.number(patterns.get(k)) if patterns.get(k) is not None else NOT_PUBLISHED
            for k in keys}


def _linkage(t: Texts, linkage: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not linkage:
        return None
    def share(key: str) -> str:
        value = linkage.get(key)
        return t.percent(100 * value, 1) if value is not None else NOT_PUBLISHED
    return {"precision": share("precision"), "recall": share("recall"), "f1": share("f1"),
            "method": str(linkage.get("method") or ""),
            "pairs_reviewed": t.number(linkage.get("pairs_reviewed") or 0),
            "measured": linkage.get("precision") is not None}


#: The sections in the contents, in order (the annex and colophon follow).
CONTENTS = {
    "introduction": N_("Introduction"), "key-figures": N_("Key figures"),
    "revisions": N_("Revisions"),
    "findings": N_("Findings"), "victims": N_("Victims"),
    "concerns": N_("Signals that did not become reports"),
    "chain": N_("The criminal-justice chain"), "dark-figure": N_("The dark figure"),
    "patterns": N_("Signals of organised exploitation"),
}
DOWNLOAD_LABEL = {"xlsx": N_("All tables as one Excel workbook (XLSX)"),
                  "csv": N_("All tables as CSV files (a folder)")}
#: The settings a reader needs to understand the numbers (never the pattern thresholds).
READER_SETTINGS = {
    "publication.threshold": N_("Smallest number published"),
    "findings.alpha": N_("False discovery rate of the findings"),
    "link.threshold": N_("Match probability from which reports are linked"),
    "random.seed": N_("Seed of the random steps"),
}


def _shown(t: Texts, table: Table, flags: Mapping[tuple[str, str, str, int], str] | None = None,
           breaks: Mapping[int, str] | None = None) -> dict[str, Any]:
    """A table as the template shows it: formatted cells, marked when suppressed, with the
    release's flags (`publish.release_view`: r revised, p provisional, b series break)."""
    rows = []
    for row in table.rows:
        percent = row.kind == "pct"
        cells = []
        for i, (value, share) in enumerate(zip(row.values, row.shares(), strict=True)):
            heading = row.kind == "heading"
            cells.append({
                "value": "" if heading else cell_text(t, value, percent=percent),
                "share": "" if heading or percent or share is MISSING and value is not MISSING
                else cell_text(t, share, percent=True),
                "suppressed": value is None,
                "flag": (flags or {}).get((table.id, row.label, row.kind, table.years[i]), "")})
        rows.append({"label": row.label, "kind": row.kind, "cells": cells})
    return {"id": table.id, "title": table.title, "row_header": table.row_header,
            "years": table.years, "rows": rows, "notes": table.notes,
            "breaks": [y for y in table.years if y in (breaks or {})]}


def _publication(t: Texts, publication: Mapping[str, Any],
                 provenance: Mapping[str, Any]) -> dict[str, str]:
    when = str(publication.get("date") or "") or str(provenance.get("generated_at") or "")
    shown, year = when, ""
    try:
        parsed = datetime.fromisoformat(when)
        shown, year = format_date(parsed.date(), "long", locale=t.locale), str(parsed.year)
    except ValueError:
        pass
    return {"publisher": str(publication.get("publisher") or "THB Monitor"),
            "contact": str(publication.get("contact") or ""), "date": shown,
            "year": year or shown}


def _reader_settings(t: Texts, settings: Mapping[str, Any],
                     rule: Mapping[str, Any]) -> list[dict[str, str]]:
    values = {"publication.threshold": rule["min_count"], "findings.alpha": rule["alpha"],
              **{k: v for k, v in settings.items() if k in READER_SETTINGS}}
    out = []
    for name, label in READER_SETTINGS.items():
        if name not in values:
            continue
        value = values[name]
        text = (t.number(value, 2) if isinstance(value, float) else str(value)
                if name == "random.seed" else t.number(value))
        out.append({"label": t._(label), "value": text})
    return out


def _vintage_summary(t: Texts, provenance: Mapping[str, Any]) -> str:
    vintage = provenance.get("vintage") or []
    dates = sorted(str(v.get("imported_at") or "")[:10] for v in vintage if v.get("imported_at"))
    if not dates:
        return t._("not recorded")
    return t.ngettext("%(count)s file imported, the last on %(date)s",
                      "%(count)s files imported, the last on %(date)s", len(vintage),
                      count=t.number(len(vintage)), date=_when(t, dates[-1]))


def quality_context(t: Texts, annex: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The quality annex in the report's language (`thbmonitor.quality.annex`)."""
    from thbmonitor.quality.annex import quality_context as context

    return context(t, annex)


def report_context(release: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Everything the template shows, as plain values (strings, lists, dicts)."""
    t = texts_for(lang)
    figures = release["figures"]
    year = int(figures["year"])
    rule = {**FindingRule().to_dict(), **(release.get("findings_rule") or {})}
    findings = figures.get("findings")
    if not findings:  # absent, or the empty list of figures nobody judged yet
        findings = [f.to_dict() for f in find_changes(
            figures, alpha=rule["alpha"], min_count=rule["min_count"], strong=rule["strong"],
            strong_points=rule["strong_points"], window=rule["window"],
            key_indicators=rule["key_indicators"])]
    provenance = release.get("provenance") or {}
    version = str(provenance.get("version") or thbmonitor.__version__)
    charts = [{"name": c.name, "title": c.title, "description": c.description,
               "svg": Markup(c.svg), "table": _shown(t, c.table) if c.table else None}
              for c in render_charts(figures, t, (release.get("flags") or {}).get("breaks"))]
    tables = report_tables(release, t)
    concern_tables = concern_tables_shown(t, release)
    flags = cell_flags(release, tables + concern_tables, t)
    info = release_info(t, release)
    publication = _publication(t, release.get("publication") or {}, provenance)
    title = t._("Trafficking in human beings: annual figures %(year)s", year=year)
    threshold = int((figures.get("disclosure") or {}).get("threshold") or rule["min_count"])
    return {
        "title": title,
        "subtitle": t._("Registered victims and the criminal-justice chain, %(first)s to "
                        "%(year)s", first=tables[0].years[0] if tables else year, year=year),
        "first_year": tables[0].years[0] if tables else year,
        "publication": publication,
        "contents": [{"id": i, "title": t._(CONTENTS[i])} for i in CONTENTS
                     if (i != "patterns" or release.get("patterns"))
                     and (i != "revisions" or release.get("revisions"))
                     and (i != "concerns" or concern_tables)]
                    + ([{"id": "downloads", "title": t._("Tables for reuse")}]
                       if release.get("downloads") else [])
                    + [{"id": "methods", "title": t._("Annex: methods")},
                       {"id": "colophon", "title": t._("Colophon")}],
        "victim_tables": [_shown(t, tab, flags, info["breaks"]) for tab in tables
                          if tab.id.startswith("victims-")],
        "chain_tables": [_shown(t, tab, flags, info["breaks"]) for tab in tables
                         if tab.id.startswith("chain-")],
        "concern_tables": [_shown(t, tab, flags, info["breaks"]) for tab in concern_tables],
        "release_info": info,
        "revisions": revision_rows(t, release),
        "downloads": [{"href": str(d["href"]), "label": t._(DOWNLOAD_LABEL.get(d["kind"],
                                                                              d["kind"]))}
                      for d in release.get("downloads") or []],
        "threshold_below": t.number(threshold - 1),
        "reader_settings": _reader_settings(t, provenance.get("settings") or {}, rule),
        "vintage_summary": _vintage_summary(t, provenance),
        "citation": t._("%(publisher)s (%(year)s). %(title)s. Version %(version)s, published "
                        "%(date)s.", publisher=publication["publisher"],
                        year=publication["year"], title=title, version=version,
                        date=publication["date"]),
        "lang": lang, "year": year, "previous_year": year - 1,
        "previous_available": bool(figures.get(
            "previous_available", lookup(figures, "victims.previous") is not None)),
        "headline": _headline(t, figures),
        "key_rows": [_flag_row(_row(t, figures, m, t.metric_label(m)), m, year, release, info)
                     for m in KEY_METRICS],
        "findings": [{"text": f["text"][lang], "strength": f["strength"],
                      "direction": f["direction"]} for f in findings
                     if f.get("family", "key") == "key"],
        "exploratory": [{"text": f["text"][lang], "strength": f["strength"],
                         "direction": f["direction"]} for f in findings
                        if f.get("family", "key") != "key"],
        "charts": [c for c in charts if c["name"] != "chain_funnel"],
        "funnel": next((c for c in charts if c["name"] == "chain_funnel"), None),
        "chain_rows": [_row(t, figures, path, t.label("chain", stage))
                       for stage, path in CHAIN_PATHS.items()],
        "has_suppressed": bool(figures.get("suppressed")),
        "not_published": NOT_PUBLISHED,
        "estimate": _estimate(t, release.get("estimate"),
                              (release.get("flags") or {}).get("breaks")),
        "linkage": _linkage(t, release.get("linkage")),
        "patterns": _patterns(t, release.get("patterns")),
        "quality": quality_context(t, release.get("quality")),
        "rule": {"alpha": t.number(rule["alpha"], 2), "min_count": t.number(rule["min_count"]),
                 "strong_rise": t.percent(100 * (rule["strong"] - 1)),
                 "strong_fall": t.percent(100 * (1 - 1 / rule["strong"])),
                 "strong_points": t.number(rule["strong_points"]), "family": rule["family"],
                 "window": t.number(rule.get("window", 5)),
                 "key_count": t.number(len(rule.get("key_indicators") or {}))},
        "provenance": {
            "version": version, "package_version": thbmonitor.__version__,
            "settings": [(str(k), json.dumps(v, ensure_ascii=False, default=str))
                         for k, v in sorted((provenance.get("settings") or {}).items())],
            "seed": provenance.get("seed"), "data_hash": provenance.get("data_hash"),
            "generated_at": _when(t, provenance.get("generated_at")),
            "vintage": [{"kind": t.label("file_kind", str(v.get("kind", ""))),
                         "source": v.get("source", ""),
                         "imported_at": _when(t, v.get("imported_at")),
                         "file_hash": str(v.get("file_hash") or "")}
                        for v in provenance.get("vintage") or []],
        },
    }


def render_report(release: Mapping[str, Any], *, lang: str = "nl") -> str:
    """The annual report as one self-contained HTML document."""
    if lang not in LANGUAGES:
        raise UsageError(f"Unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}.")
    template = _environment(lang).get_template("report.html.j2")
    return template.render(**report_context(release, lang))


def write_report(release: Mapping[str, Any], path: str | Path, lang: str = "nl",
                 fmt: str = "html", *, force: bool = False) -> Path:
    """Write the report to ``path`` (UTF-8 HTML, or PDF with ``fmt="pdf"``); return the path.

    Whole or not at all (`thbmonitor.output_file`); ``force`` replaces an existing file.
    """
    from thbmonitor.output_file import output_file

    if fmt == "pdf":
        return write_pdf(release, path, lang, force=force)
    if fmt != "html":
        raise UsageError(f"Unknown report format {fmt!r}; use html or pdf.")
    target = Path(path)
    html = render_report(release, lang=lang)
    with output_file(target, force=force) as handle:
        handle.write(html)
    return target


def pdf_document(html: str) -> Any:
    """The laid-out pages of a rendered report (a ``weasyprint.Document``).

    WeasyPrint is a maintained HTML/CSS-to-PDF engine that runs offline (Pango for
    text): the print stylesheet of the same template gives A4 pages, page numbers,
    running headers and the contents' page numbers. The report has no external
    resource, and a URL fetcher that refuses everything makes sure nothing is fetched.
    """
    from weasyprint import HTML

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise UsageError(f"the report refers to an external resource ({url[:60]})")

    return HTML(string=html, url_fetcher=no_fetch).render()


def pdf_bytes(html: str) -> bytes:
    """The PDF of a rendered report."""
    result: bytes = pdf_document(html).write_pdf()
    return result


def write_pdf(release: Mapping[str, Any], path: str | Path, lang: str = "nl", *,
              force: bool = False) -> Path:
    """Write the report as an A4 PDF to ``path`` and return the path."""
    from thbmonitor.output_file import output_file

    target = Path(path)
    pdf = pdf_bytes(render_report(release, lang=lang))
    with output_file(target, binary=True, force=force) as handle:
        handle.write(pdf)
    return target


def publication_paths(out: str | Path, tables: str | None = None) -> dict[str, Path]:
    """Where `write_publication` writes: the report at ``out``, its tables beside it."""
    target = Path(out)
    paths = {"report": target}
    if tables is not None:
        paths["tables"] = target.with_name(
            f"{target.stem}-tables" + (".xlsx" if tables == "xlsx" else ""))
    return paths


def write_publication(release: Mapping[str, Any], out: str | Path, lang: str = "nl",
                      fmt: str = "html", tables: str | None = None, *,
                      force: bool = False) -> dict[str, Path]:
    """The report (HTML or PDF) at ``out`` and, with ``tables``, every table beside it.

    ``tables="xlsx"`` writes ``<stem>-tables.xlsx``, ``"csv"`` a folder
    ``<stem>-tables/``; the report links them. Returns the paths written. ``force``:
    replace existing files (never a store or key file).
    """
    from thbmonitor.publish.workbook import write_tables

    target = Path(out)
    written: dict[str, Path] = {}
    release = dict(release)
    if tables is not None:
        path = publication_paths(target, tables)["tables"]
        written["tables"] = write_tables(release, path, lang, tables, force=force)
        release["downloads"] = [{"kind": tables,
                                 "href": path.name + ("/" if tables == "csv" else "")}]
    written["report"] = write_report(release, target, lang, fmt, force=force)
    return written
