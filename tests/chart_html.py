"""The chart's HTML read as data with html.parser: what tests ask of it, without matching its bytes."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Link:
    attrs: dict
    shapes: list = field(default_factory=list)  # (tag, attrs) of what the link draws
    text: str = ""  # its visible label, if any

    @property
    def classes(self):
        return self.attrs.get("class", "").split()

    @property
    def kind(self):
        """mark, vague, cluster, bin, band, tick or tool."""
        for name in ("mark", "vague", "cluster", "bin", "band", "tick"):
            if f"chart-{name}" in self.classes:
                return name
        return "tool"


@dataclass
class Layout:
    name: str
    attrs: dict
    links: list = field(default_factory=list)
    lanes: list = field(default_factory=list)  # (classes, text) of the lane names

    def of(self, kind):
        return [link for link in self.links if link.kind == kind]


class ChartReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.figure, self.caption, self.tools, self.layouts = None, "", [], {}
        self.layout = self.link = None
        self.texts = []  # the element whose text is being read: "caption", "lane", "label"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class", "").split()
        if tag == "figure" and attrs.get("id") == "chart":
            self.figure = attrs
        elif self.figure is None:
            return
        elif tag == "figcaption":
            self.texts.append("caption")
        elif tag == "svg":
            name = next((c.removeprefix("chart-") for c in classes if c in ("chart-wide", "chart-narrow")), "wide")
            self.layout = self.layouts[name] = Layout(name, attrs)
        elif tag == "a":
            self.link = Link(attrs)
            (self.layout.links if self.layout else self.tools).append(self.link)
        elif tag == "text" and "chart-lane" in classes:
            self.layout.lanes.append((classes, ""))
            self.texts.append("lane")
        elif tag == "text" and self.link is not None:
            self.link.shapes.append((tag, attrs))
            self.texts.append("label")
        elif self.link is not None and self.layout is not None:
            self.link.shapes.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "a":
            self.link = None
        elif tag == "svg":
            self.layout = None
        elif tag in ("figcaption", "text") and self.texts:
            self.texts.pop()

    def handle_data(self, data):
        if not self.texts:
            if self.link is not None and self.layout is None:
                self.link.text += data
            return
        where = self.texts[-1]
        if where == "caption":
            self.caption += data
        elif where == "lane":
            classes, text = self.layout.lanes[-1]
            self.layout.lanes[-1] = (classes, text + data)
        elif where == "label":
            self.link.text += data


def read_chart(html):
    """The chart of a page or fragment: figure attributes, caption, tools and layouts; None if none is drawn."""
    reader = ChartReader()
    reader.feed(html)
    reader.close()
    return reader if reader.figure is not None else None
