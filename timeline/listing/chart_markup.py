"""The chart's repeated markup, built in Python: its era bands, its items and its axis ticks.

Each is drawn for the wide and the narrow layout of every state, from the numbers that
write_numbers (below) has already written as text. Rendered by template partials, one per
item, they took 3.8 ms of a first-time state's 10 ms of template (bench/notes.md, "The chart's
markup"). ``templates/chart.html`` keeps the figure around them.
"""

from django.utils.safestring import mark_safe

from timeline.listing.markup import html, html_join

BETWEEN = "\n      "  # as the template's loops laid the bands and items out, one to a line
HIT = '<rect class="chart-hit" x="{}%" y="{}" width="24" height="24" transform="translate(-12 0)"></rect>'
LABEL = '<text aria-hidden="true" class="chart-label {}" x="{}%" dx="{}" y="{}">{}</text>'

BAND = (
    '<a class="chart-band band-{}" href="{}{}" data-action="era" data-era="{}" aria-label="{}: era, {}. Show only '
    'this era"><rect x="{}%" y="{}" width="{}%" height="24" rx="2"></rect>' + HIT + "{}</a>"
)
BAND_LABEL = '<text aria-hidden="true" x="{}%" dx="4" y="{}">{}</text>'
MARK = (
    '<a class="chart-item chart-mark certainty-{}" href="{}" data-slug="{}" data-day="{}" aria-label="{}: {} ({})">'
    + HIT
    + "{}{}</a>"
)
MARK_SPAN = '<rect class="range" x="{}%" y="{}" width="{}%" height="5" rx="2"></rect>'
MARK_DOT = '<circle cx="{}%" cy="{}" r="6"></circle>'
VAGUE = (
    '<a class="chart-item chart-vague {}{}" href="{}"{} data-day="{}" aria-label="{}">'
    '<rect class="chart-hit" x="{}%" y="{}" width="{}%" height="24"></rect>'
    + HIT
    + '<rect class="line" x="{}%" y="{}" width="{}%" height="4" rx="2"></rect>{}</a>'
)
CLUSTER = (
    '<a class="chart-item chart-cluster" href="{}{}" data-action="{}" data-day="{}" aria-label="{}">'
    '<circle cx="{}%" cy="{}" r="12"></circle><text aria-hidden="true" x="{}%" y="{}">{}</text></a>'
)
BIN = (
    '<a class="chart-item chart-bin" href="{}{}" data-action="{}" data-day="{}" aria-label="{}">'
    '<rect class="chart-hit" x="{}%" y="{}" width="{}%" height="{}"></rect>'
    '<rect class="bar" x="{}%" y="{}" width="{}%" height="{}"></rect>{}</a>'
)
BIN_COUNT = '<text aria-hidden="true" x="{}%" y="{}">{}</text>'
TICK = (
    '<a class="chart-tick" href="{}{}" data-action="window" aria-label="Zoom the timeline to {}">'
    '<rect class="chart-hit" x="{}%" y="{}" width="24" height="28" transform="translate(-12 0)"></rect>'
    '<line x1="{}%" y1="{}" x2="{}%" y2="{}"></line>{}</a>'
)
TICK_LABEL = '<text aria-hidden="true" class="{}" x="{}%" dx="{}" y="{}">{}</text>'


def number(value):
    """A coordinate as the markup writes it: an int, or a float to three places, never in exponent form."""
    return str(value) if isinstance(value, int) else f"{round(value, 3):.3f}".rstrip("0").rstrip(".")


# The coordinates each kind of item writes, and the offsets from its y of what it draws: worked out
# once per layout and written as text, because a template's number formatting and |add, repeated for
# every coordinate of every item, cost more than the rest of the chart (bench/chart_render.py).
OFFSETS = {
    "mark": {"hit_y": -12, "line_y": 5, "label_y": 4},
    "vague": {"hit_y": -14, "line_y": 4, "label_y": 0},
    "cluster": {"label_y": 4},
    "bin": {"label_y": -3},
}
NUMBERS = {  # the coordinates the functions below write, for each kind of thing
    "mark": ("x", "y", "span", "label_dx", "hit_y", "line_y", "label_y"),
    "vague": ("x", "y", "width", "mid", "label_x", "label_dx", "hit_y", "line_y", "label_y"),
    "cluster": ("x", "y", "label_y"),
    "bin": ("x", "y", "mid", "width", "height", "top", "full", "label_y"),
    "band": ("x", "y", "mid", "width", "text_y"),
    "tick": ("x", "dx"),
}


def write_numbers(layout):
    """The layout's coordinates as the markup writes them, with what each item draws offset from its y."""
    for item in layout.items:
        for name, offset in OFFSETS[item["kind"]].items():
            item[name] = item["y"] + offset
        if item["kind"] == "mark" and item["span"]:
            item["label_y"] = item["y"]
    for things, kind in ((layout.items, None), (layout.bands, "band"), (layout.ticks, "tick")):
        for thing in things:
            for name in NUMBERS[kind or thing["kind"]]:
                if thing.get(name):  # 0 stays 0, which the markup reads as "none" (a mark with no span)
                    thing[name] = number(thing[name])
    axis = layout.axis_y
    layout.axis = {name: number(axis + offset) for name, offset in (("top", -4), ("bottom", 6), ("text", 20))}


def bands(layout, listing):
    """The era bands, each a link to its era: a coloured bar, a target a finger can hit, its name if it fits."""
    return html_join(
        BAND + BETWEEN,
        (
            (
                *(b["position"], listing, b["link"], b["slug"], b["name"], b["range"]),
                *(b["x"], b["y"], b["width"], b["mid"], b["y"]),
                html(BAND_LABEL, b["x"], b["text_y"], b["name"]) if b["labelled"] else "",
            )
            for b in layout.bands
        ),
    )


def mark(item, listing, page_slugs):
    """An event known to the day: a dot, or a bar for its span, and its label where one fits."""
    href = f"#{item['slug']}" if item["slug"] in page_slugs else item["detail"]
    if item["span"]:
        shape = html(MARK_SPAN, item["x"], item["line_y"], item["span"])
    else:
        shape = html(MARK_DOT, item["x"], item["y"])
    text = item["text"]
    label = html(LABEL, item["anchor"], item["x"], item["label_dx"], item["label_y"], text) if text else ""
    return html(
        MARK,
        *(item["certainty"], href, item["slug"], item["day"], item["date_display"], item["title"]),
        *(item["certainty_label"], item["x"], item["hit_y"], shape, label),
    )


def vague(item, listing, page_slugs):
    """An event known only to its month or year (or a count of them): a line across that period."""
    slug = item.get("slug")
    if not slug:
        href = f"{listing}{item['link']}"
    else:
        href = f"#{slug}" if slug in page_slugs else item["detail"]
    certainty = html(" certainty-{}", item["certainty"]) if slug else ""
    data = html(' data-slug="{}"', slug) if slug else html(' data-action="{}"', item["action"])
    text = item.get("text")
    label = html(LABEL, item["anchor"], item["label_x"], item["label_dx"], item["label_y"], text) if text else ""
    return html(
        VAGUE,
        *(item["precision"], certainty, href, data, item["day"], item["label"]),
        *(item["x"], item["hit_y"], item["width"], item["mid"], item["hit_y"]),
        *(item["x"], item["line_y"], item["width"], label),
    )


def cluster(item, listing, page_slugs):
    """Events too close to label one by one: a circle with their count, a link to see them."""
    return html(
        CLUSTER,
        *(listing, item["link"], item["action"], item["day"], item["label"]),
        *(item["x"], item["y"], item["x"], item["label_y"], item["n"]),
    )


def bar(item, listing, page_slugs):
    """A day, week, month, quarter or year of events: a bar as high as its count, written on it if it fits."""
    count = html(BIN_COUNT, item["mid"], item["label_y"], item["n"]) if item["counted"] else ""
    return html(
        BIN,
        *(listing, item["link"], item["action"], item["day"], item["label"]),
        *(item["x"], item["top"], item["width"], item["full"]),
        *(item["x"], item["y"], item["width"], item["height"], count),
    )


ITEMS = {"mark": mark, "vague": vague, "cluster": cluster, "bin": bar}


def items(layout, listing, page_slugs):
    """Every item of the layout, in its order; a mark on this page links to it, any other to its event's page."""
    return mark_safe("".join(ITEMS[item["kind"]](item, listing, page_slugs) + BETWEEN for item in layout.items))  # noqa: S308 (each built by html)


def ticks(layout, listing):
    """The axis's ticks, each a link that zooms to its period, labelled where the labels fit."""
    axis = layout.axis
    return html_join(
        TICK,
        (
            (
                *(listing, t["link"], t["period"], t["x"], axis["top"], t["x"], axis["top"], t["x"], axis["bottom"]),
                html(TICK_LABEL, t["anchor"], t["x"], t["dx"], axis["text"], t["label"]) if t.get("label") else "",
            )
            for t in layout.ticks
        ),
    )
