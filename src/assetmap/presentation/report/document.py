"""The evidence pack as one HTML document, laid out for A4 print (WeasyPrint renders it).

Every value from the data (names of areas, LSOAs, wards and asset types, an upload's labels, the
link) goes through :func:`assetmap.presentation.text.html_text`, so it is text, never markup; the
readings of :mod:`assetmap.presentation.reading`, which are Markdown with their values
backslash-escaped, are turned into HTML by :func:`markdown_html`, which knows only their bold
and their escapes. Pictures are embedded as ``data:`` URLs with alternative text: the document
loads nothing from anywhere.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from typing import Final

import pandas as pd

from assetmap import settings
from assetmap.data import dictionary
from assetmap.data.assets import ASSET_SOURCES
from assetmap.data.sources import SOURCES
from assetmap.geography import areas
from assetmap.measures import change
from assetmap.presentation import export
from assetmap.presentation.report.figures import measure_title
from assetmap.presentation.report.pack import CHANGE_SOURCES, DEFAULT_MEASURE, TOP_ROWS, Pack
from assetmap.presentation.text import html_text

#: The measures whose formulas the methods section states (data dictionary entries).
METHOD_COLUMNS: Final[tuple[str, ...]] = (
    "assets_per_1k",
    "core20",
    "need_percentile",
    "provision_percentile",
    "gap_score",
    "walk_assets",
    "fca_per_1k",
    "gap_spatial_lag",
    "gap_local_i",
    "gap_cluster",
    "gap_cluster_p",
    "bivariate_class",
    "imd_decile_change",
    "imd19_comparable",
    "became_more_deprived",
    "few_assets",
    "more_deprived_few_assets",
    "invest_score",
    "invest_reasons",
    "invest_top_share",
)

#: Sources beside those of the tables' vintages: the boundaries drawn, and the left-behind flag
#: (gaps.csv) and charities per 1,000 residents (lsoas.gpkg) of the data zip.
MORE_SOURCES: Final[tuple[str, ...]] = ("boundaries_lsoa21", "cni2023", "charity_density")

STYLE: Final = """
@page {
  size: A4;
  margin: 16mm 15mm 17mm 15mm;
  @bottom-left { content: string(packtitle); font-size: 7.5pt; color: #555; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
                  font-size: 7.5pt; color: #555; }
}
html { font-family: "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 9pt;
       color: #111; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 2mm 0; string-set: packtitle content(); }
h2 { font-size: 12.5pt; margin: 5mm 0 2mm 0; border-bottom: 0.6pt solid #0072B2;
     padding-bottom: 1mm; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm 0; break-after: avoid; }
p { margin: 0 0 2mm 0; }
.meta { color: #333; font-size: 8.5pt; }
.small { font-size: 7.5pt; color: #333; }
.page { break-before: page; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm 0; font-size: 8pt; }
th, td { border-bottom: 0.4pt solid #bbb; padding: 1mm 1.5mm; text-align: left;
         vertical-align: top; }
th { background: #eef3f8; font-weight: bold; }
td.n, th.n { text-align: right; }
td.n { white-space: nowrap; }
tr { break-inside: avoid; }
figure { margin: 0 0 2mm 0; break-inside: avoid; }
figure img { width: 100%; }
figcaption { font-size: 7.5pt; color: #333; }
.grid td { text-align: center; }
.swatch { display: inline-block; width: 3mm; height: 3mm; border: 0.3pt solid #777;
          vertical-align: middle; }
a { color: #005a8c; word-break: break-all; }
ul { margin: 0 0 2mm 0; padding-left: 5mm; }
table.invest, table.change, table.sources, table.methods { table-layout: fixed; }
table.invest { font-size: 7pt; }
table.invest td { padding: 0.7mm 1.2mm; }
table.change { break-inside: avoid; }
table.invest th:nth-child(1) { width: 6%; }
table.invest th:nth-child(2) { width: 12%; }
table.invest th:nth-child(3) { width: 14%; }
table.invest th:nth-child(4) { width: 9%; }
table.invest th:nth-child(5) { width: 10%; }
table.change th:nth-child(1) { width: 19%; }
table.change td, table.change th { white-space: normal; }
table.methods th:nth-child(1) { width: 22%; }
table.methods th:nth-child(2) { width: 20%; }
table.sources th:nth-child(5) { width: 30%; }
table.sources, table.methods { font-size: 7.5pt; }
figure.map { text-align: center; }
figure.map img { width: 100%; max-height: 118mm; object-fit: contain; }
table.figures td, table.figures th { padding: 0.6mm 1.5mm; }
.vintages { font-size: 6.8pt; color: #333; }
figure.map figcaption { text-align: left; }
"""

_MARKDOWN_TOKEN = re.compile(r"\\(.)|\*\*|(.)", re.DOTALL)
_WORD_JOINER: Final = "\u2060"


def markdown_html(text: str) -> str:
    """HTML of the Markdown :mod:`assetmap.presentation.reading` writes: ``**bold**`` and
    backslash escapes, every character of the text itself escaped for HTML.

    Parameters
    ----------
    text
        Markdown whose literal characters are backslash-escaped
        (:func:`assetmap.presentation.text.markdown_text`).

    Returns
    -------
    str
        HTML: text with ``<strong>`` elements, balanced.
    """
    out: list[str] = []
    bold = False
    for match in _MARKDOWN_TOKEN.finditer(text.replace(_WORD_JOINER, "")):
        escaped, plain = match.group(1), match.group(2)
        if escaped is not None or plain is not None:
            out.append(html_text(escaped if escaped is not None else plain))
        else:
            out.append("</strong>" if bold else "<strong>")
            bold = not bold
    if bold:
        out.append("</strong>")
    return "".join(out)


def _data_url(content: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def _table(
    head: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: Sequence[bool] | None = None,
    css_class: str = "",
) -> str:
    # Every cell is text, escaped here.
    right = list(numeric or [False] * len(head))
    cls = [' class="n"' if r else "" for r in right]
    header = "".join(
        f'<th scope="col"{c}>{html_text(h)}</th>' for h, c in zip(head, cls, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td{c}>{html_text(v)}</td>" for v, c in zip(row, cls, strict=True))
        + "</tr>"
        for row in rows
    )
    opening = f'<table class="{css_class}">' if css_class else "<table>"
    return f"{opening}<thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _share(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:.0%}"


def _counting(pack: Pack) -> str:
    parts = []
    for section in pack.families:
        names = ", ".join(pack.inputs.label(t) for t in section.types)
        parts.append(f"{section.label.lower()}: {names}")
    return "; ".join(parts)


def _need_words(need: str) -> str:
    domain = dictionary.DOMAINS.get(need)
    return domain.name if domain is not None else need


def _key_figures(pack: Pack) -> str:
    f, e = pack.figures, pack.england_figures
    rows = [
        ("Residents (Census 2021)", f"{f['population']:,}", f"{e['population']:,}"),
        ("Neighbourhoods (LSOAs)", f"{f['lsoa_count']:,}", f"{e['lsoa_count']:,}"),
        (
            "Core20 LSOAs (most deprived 20%)",
            f"{f['core20_lsoa_count']:,}",
            f"{e['core20_lsoa_count']:,}",
        ),
        ("Core20 share", _share(f["core20_share"]), _share(e["core20_share"])),
        ("Assets counted", f"{f['assets']:,}", f"{e['assets']:,}"),
        ("Assets per 1,000 residents", f"{f['assets_per_1k']:.3f}", f"{e['assets_per_1k']:.3f}"),
        (
            "Core20 LSOAs with none of the assets counted",
            f"{f['core20_zero_asset_lsoa_count']:,}",
            f"{e['core20_zero_asset_lsoa_count']:,}",
        ),
    ]
    if pack.area.level == "england":
        england = [(a, b) for a, b, _ in rows]
        return _table(["Key figure", "England"], england, [False, True], "figures")
    return _table(["Key figure", pack.area.name, "England"], rows, [False, True, True], "figures")


def _title_page(pack: Pack) -> str:
    area = pack.area
    made = f"{pack.made_at.day} {pack.made_at:%B %Y, %H:%M} UTC"
    level = areas.level(area.level).label
    code = "" if area.level == "england" else f" ({area.code})"
    if pack.link:
        link = (
            f'<p class="small">Reopen this view in the dashboard: '
            f'<a href="{html_text(pack.link)}">{html_text(pack.link)}</a></p>'
        )
    else:
        link = (
            '<p class="small">This own area has too many neighbourhoods for a link: open the '
            "GeoPackage of its data zip on the dashboard's Your own area page to use it again.</p>"
        )
    need = _need_words(pack.inputs.need)
    view = pack.view
    shapes = "local authorities" if view.level != "lsoa" else "neighbourhoods (LSOAs)"
    alt = (
        f"Map of the {shapes} of {area.name} coloured by {_measure_words(pack)} in "
        f"{len(view.classes.labels)} classes, with local authority borders and names; the "
        "values are in the data zip's lsoas.gpkg."
    )
    return f"""
<section>
<h1>Evidence pack: {html_text(area.label)}</h1>
<p class="meta">{html_text(level)}{html_text(code)}. Made {html_text(made)}. Counting
{html_text(_counting(pack))}. Need measured by IoD 2025: {html_text(need)}.</p>
<p class="vintages">Data vintages: {html_text(pack.vintages)}.</p>
{link}
<h2>Key figures beside England</h2>
{_key_figures(pack)}
<figure class="map">
<img src="{_data_url(pack.map_png, "image/png")}" alt="{html_text(alt)}">
<figcaption>{html_text(_map_note(pack))}</figcaption>
</figure>
</section>"""


def _measure_words(pack: Pack) -> str:
    return measure_title(DEFAULT_MEASURE, area_level=pack.view.level != "lsoa")


def _map_note(pack: Pack) -> str:
    classes = pack.view.classes
    where = (
        "By local authority (population-weighted mean of its LSOAs)"
        if pack.view.level != "lsoa"
        else "By neighbourhood (LSOA 2021)"
    )
    return f"{where}; bands: {classes.method}. Source: {pack.view.source}."


def _families(pack: Pack) -> str:
    parts = ['<section class="page"><h2>Assets per 1,000 residents by IMD 2025 decile</h2>']
    for section in pack.families:
        names = ", ".join(pack.inputs.label(t) for t in section.types)
        lines = "".join(
            f"<li><strong>{html_text(label)}</strong>: {dep:.3f} per 1,000 in the most deprived "
            f"20%, {aff:.3f} in the least deprived 20%: {html_text(words)}.</li>"
            for label, dep, aff, words in section.by_type
        )
        alt = (
            f"Bar chart of {section.label.lower()} per 1,000 residents in each IMD 2025 decile, "
            f"{pack.area.name} beside England; the numbers are in the data zip's deciles.csv."
        )
        parts.append(
            f"""
<h3>{html_text(section.label)}</h3>
<p>{markdown_html(section.headline)}</p>
<figure><img src="{_data_url(section.chart, "image/svg+xml")}" alt="{html_text(alt)}"></figure>
<p>By type{", scarcest where need is greatest first" if len(section.types) > 1 else ""}:</p>
<ul>{lines}</ul>
<p>Core20 neighbourhoods with none of these ({html_text(names)}):
<strong>{section.core20_without:,}</strong> of {pack.figures["core20_lsoa_count"]:,}.</p>"""
        )
    if len(pack.thin):
        places = "; ".join(
            f"{r.lsoa21nm} ({r.ward24nm}, {r.lad24nm})" for r in pack.thin.itertuples()
        )
        parts.append(
            "<p><strong>Where provision is thinnest</strong>: the most deprived neighbourhoods "
            f"here with none of these assets and the largest gaps are {html_text(places)}.</p>"
        )
    parts.append(_change(pack))
    parts.append("</section>")
    return "".join(parts)


def _gaps(pack: Pack) -> str:
    top = pack.gaps.head(TOP_ROWS)
    need = pack.inputs.need
    rows = [
        (
            f"{r['gap_rank']:,}",
            r["lsoa21cd"],
            r["lsoa21nm"],
            r["ward24nm"],
            r["lad24nm"],
            f"{r[f'{need}_decile']}",
            f"{r['population']:,}",
            f"{r['assets']:,}",
            f"{r['gap_score']:.1f}",
        )
        for r in top.to_dict("records")
    ]
    head = [
        "Rank",
        "LSOA code",
        "LSOA name",
        "Ward",
        "Local authority",
        f"{_need_words(need)} decile" if need != "imd" else "IMD decile",
        "Residents",
        "Assets",
        "Gap score",
    ]
    numeric = [True, False, False, False, False, True, True, True, True]
    formula = dictionary.COLUMNS["gap_score"].description
    return f"""
<section class="page">
<h2>The largest gaps: the first {len(top):,} of {len(pack.gaps):,} neighbourhoods</h2>
<p class="small">Gap score = {html_text(formula)} The full table is gaps.csv in the data zip.</p>
{_table(head, rows, numeric)}
{_patterns(pack)}
</section>
<section class="page">
{_invest(pack)}
</section>"""


def _invest(pack: Pack) -> str:
    ranking = pack.ranking
    top = ranking.table.head(TOP_ROWS)
    rows = [
        (
            f"{r['invest_rank']:,}",
            r["lsoa21cd"],
            r["lsoa21nm"],
            f"{r['invest_score']:.1f}",
            f"{r['invest_top_share']:.0%}",
            r["invest_reasons"],
        )
        for r in top.to_dict("records")
    ]
    head = [
        "Rank",
        "LSOA code",
        "LSOA name",
        "Score (0-100)",
        f"In the top {ranking.top_n:,} of draws",
        "Why invest here",
    ]
    weights = "; ".join(f"{ranking.labels[k]} {share:.0%}" for k, share in ranking.weights.items())
    skipped = f" Not used: {html_text('; '.join(ranking.skipped))}." if ranking.skipped else ""
    return f"""
<h2>Where to invest first: the short list</h2>
<p class="small">Equal weights (share of the score: {html_text(weights)}); invest_score =
{html_text(dictionary.COLUMNS["invest_score"].description)} Stability: {ranking.draws:,} weight
draws from Dirichlet({ranking.concentration:g} x the weights), seed {ranking.seed}.{skipped}
The full ranking is invest.csv in the data zip.</p>
{_table(head, rows, [True, False, False, True, True, False], "invest")}"""


def _patterns(pack: Pack) -> str:
    test = pack.clusters
    spots = [
        (str(r["gap_cluster"]), f"{r['lsoa_count']:,}", f"{r['population']:,}")
        for r in pack.spots.to_dict("records")
    ]
    passed = (
        f"an LSOA is significant when its {test.alternative} pseudo p-value is below "
        f"{test.fdr_threshold:.4f}, the Benjamini-Hochberg threshold"
        if test.fdr_threshold > 0
        else "no LSOA passes the Benjamini-Hochberg test"
    )
    grid = {
        (int(r["deprivation_tertile"]), int(r["provision_tertile"])): r
        for r in pack.cells.to_dict("records")
    }
    cells = []
    for dep in (1, 2, 3):
        tds = []
        for prov in (1, 2, 3):
            cell = grid[(dep, prov)]
            colour = str(cell["bivariate_colour"])
            tds.append(
                f'<td><span class="swatch" style="background:{html_text(colour)}"></span> '
                f"{int(cell['lsoa_count']):,} LSOAs<br>{int(cell['population']):,} residents</td>"
            )
        words = {1: "1 (most deprived)", 2: "2", 3: "3 (least deprived)"}[dep]
        cells.append(f'<tr><th scope="row">Deprivation third {words}</th>{"".join(tds)}</tr>')
    return f"""
<h2>Hot and cold spots of the gap score</h2>
{_table(["Cluster", "Neighbourhoods (LSOAs)", "Residents"], spots, [False, True, True])}
<p class="small">Local Moran's I of the gap score on England's whole map with
{test.permutations:,} permutations; {html_text(passed)} for a {test.alpha:.0%} false discovery
rate over {test.tests:,} LSOAs tested. An under-provided cluster is a cold spot of provision: a
high gap among neighbours with high gaps.</p>
<h2>Deprivation and provision together</h2>
<table class="grid"><thead><tr><th scope="col"></th>
<th scope="col">Provision third 1 (fewest assets per 1,000)</th>
<th scope="col">Provision third 2</th><th scope="col">Provision third 3 (most)</th></tr></thead>
<tbody>{"".join(cells)}</tbody></table>
<p class="small">Thirds of England's LSOAs, so a class means the same everywhere. Every LSOA
without one of the assets counted is in provision third 1 ({pack.zero_asset_share:.0%} of England
for these types), so the provision thirds are not equal in size.</p>"""


def _change(pack: Pack) -> str:
    keyed = pack.moved.set_index(["imd19_match", "change_direction"])
    lsoa_counts = keyed["lsoa_count"].to_dict()
    people = keyed["population"].to_dict()
    worse, better = change.DIRECTIONS[0], change.DIRECTIONS[2]
    local = pack.lsoas
    fell = int(lsoa_counts[("all", worse)])
    rose = int(lsoa_counts[("all", better)])
    fell_people = int(people[("all", worse)])
    like = int(local["imd19_comparable"].sum())
    fell_like = int(lsoa_counts[("unchanged", worse)])
    few = int(local["more_deprived_few_assets"].sum())
    wide = change.change_by_match(pack.moved)
    rows = [
        (
            change.MATCH_LABELS.get(str(match), str(match)),
            *[f"{int(v):,}" for v in wide.loc[match].to_numpy()],
        )
        for match in wide.index
    ]
    head = [
        "How 2019 was mapped",
        *[
            f"{direction.capitalize()}: {what}"
            for direction in change.DIRECTIONS
            for what in ("LSOAs", "residents")
        ],
    ]
    return f"""
<h2>What changed since 2019</h2>
<p><strong>{fell:,}</strong> of the {len(local):,} neighbourhoods here ({fell_people:,}
residents) are in a more deprived IMD decile in 2025 than in 2019, and {rose:,} in a less
deprived one. Of the {like:,} whose boundary did not change (the like-for-like comparison),
{fell_like:,} moved to a more deprived decile. <strong>{few:,}</strong> neighbourhoods became
more deprived and have few assets.</p>
{_table(head, rows, [False, True, True, True, True, True, True], "change")}
<p class="small">IMD deciles are relative positions among England's LSOAs: a fall means others
improved faster or this place fell behind.</p>"""


def _methods(pack: Pack) -> str:
    rows = [
        (dictionary.COLUMNS[c].label, c, dictionary.COLUMNS[c].description)
        for c in METHOD_COLUMNS
        if c in dictionary.COLUMNS
    ]
    keys = [
        *export.BASE_SOURCES,
        *CHANGE_SOURCES,
        *MORE_SOURCES,
        *[ASSET_SOURCES[t].source_key for t in pack.inputs.types if t in ASSET_SOURCES],
    ]
    sources = [
        (s.title, s.publisher, s.licence, s.vintage, s.attribution)
        for s in (SOURCES[k] for k in dict.fromkeys(keys))
    ]
    upload = (
        f"<p>Also counted: your upload ({html_text(pack.inputs.upload)}), which is not a "
        "published source.</p>"
        if pack.inputs.upload
        else ""
    )
    walk = pack.inputs.neighbourhoods.access
    return f"""
<section class="page">
<h2>Methods</h2>
<p class="small">Every number in this pack is computed by the assetmap library from the built
data, by the same functions as the dashboard's pages. Walking distance
{walk.distance_m:,.0f} m (straight line), 2SFCA catchment {walk.fca_distance_m:,.0f} m;
invest-first short list of {settings.INVEST_TOP_N:,}.</p>
{_table(["Measure", "Column", "Formula or definition"], rows, None, "methods")}
<h2>Sources, licences and attributions</h2>
{_table(["Data", "Publisher", "Licence", "Vintage", "Attribution"], sources, None, "sources")}
{upload}
<p class="small">Geography: LSOA 2021; asset families are reported apart and never summed
together. The data zip holds every table as Excel-safe CSV, the data dictionary and the area's
LSOAs with their measures as a GeoPackage (EPSG:4326).</p>
</section>"""


def to_html(pack: Pack) -> str:
    """The whole pack as an HTML document (``lang="en-GB"``, a ``<title>``, headings in order).

    Parameters
    ----------
    pack
        :func:`assetmap.presentation.report.build_pack`.

    Returns
    -------
    str
    """
    title = f"Evidence pack: {pack.area.label}"
    description = f"Community assets against deprivation: {pack.area.label}"
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{html_text(title)}</title>
<meta name="author" content="assetmap">
<meta name="description" content="{html_text(description)}">
<meta name="generator" content="assetmap with WeasyPrint">
<style>{STYLE}</style>
</head>
<body>
{_title_page(pack)}
{_families(pack)}
{_gaps(pack)}
{_methods(pack)}
</body>
</html>"""
