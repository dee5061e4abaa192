"""The chart layer's SVG made compact for layout engines: the same drawing in fewer nodes.

vl-convert writes Vega's scene graph as it is: a group per mark with ARIA and class
attributes, an invisible background and foreground path per group, one ``<line>`` per grid
line and tick, and the font repeated on every label. WeasyPrint parses, styles and draws each
node (a trend chart has about a hundred, a pack about 7,000), which was a third of the PDF's
time once its long tables were cut. :func:`tidy` keeps every visible mark and every text:

* drops the attributes nothing draws with (``class``, ``role``, ``aria-*``,
  ``pointer-events``, ``opacity="1"``) and the nodes nothing shows (``display="none"``, paths
  without a shape, shapes with neither fill nor stroke);
* turns each run of sibling ``<line>``s drawn alike into one ``<path>``;
* moves the font and colour every ``<text>`` of a group shares up to the group;
* lifts the children of groups that carry no attribute (or an empty translation) and drops
  empty groups.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

#: The SVG namespace (ElementTree names its tags ``{SVG_NS}path``).
SVG_NS = "http://www.w3.org/2000/svg"
_Q = f"{{{SVG_NS}}}"
#: Attributes that change nothing drawn.
_INERT = ("class", "role", "pointer-events", "aria-hidden", "aria-label", "aria-roledescription")
#: Shapes whose paint (fill, stroke) decides whether they show.
_SHAPES = ("path", "rect", "line", "circle", "ellipse", "polygon", "polyline")
#: Containers whose children are not drawn where they stand (clip paths, gradients, ...):
#: left as they are.
_KEEP = ("defs", "clipPath", "mask", "pattern", "linearGradient", "radialGradient", "marker")
#: The attributes every label of a group may share (inherited in SVG).
_TEXT_SHARED = ("font-family", "font-size", "fill", "font-weight", "font-style")
_TRANSLATE = re.compile(r"^translate\(\s*([-\d.e]+)[ ,]*([-\d.e]*)\s*\)$")


def tidy(svg: str) -> str:
    """``svg`` (standalone SVG text, as vl-convert writes it) as compact SVG drawing the same
    marks and texts (no XML prolog; the ``svg`` element keeps its size and view box). SVG
    styled by a stylesheet (a ``<style>`` element) is returned as it is."""
    if "<style" in svg:
        return svg[svg.index("<svg") :]
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(svg)
    _strip(root, fill="black", stroke="none")
    _merge_lines(root)
    _share_text_style(root)
    _lift_groups(root)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _local(tag: str) -> str:
    return tag[len(_Q) :] if tag.startswith(_Q) else tag


def _strip(node: ET.Element, fill: str, stroke: str) -> None:
    """Drop inert attributes below ``node`` and the children that draw nothing (``fill`` and
    ``stroke``: the paint ``node``'s children inherit)."""
    for child in list(node):
        tag = _local(child.tag)
        if tag in _KEEP:
            continue
        for key in [k for k in child.attrib if k in _INERT or k.startswith("aria-")]:
            del child.attrib[key]
        if child.get("opacity") == "1":
            del child.attrib["opacity"]
        own_fill = child.get("fill", fill)
        own_stroke = child.get("stroke", stroke)
        invisible = child.get("display") == "none" or (
            tag in _SHAPES
            and "style" not in child.attrib
            and (
                (tag == "path" and not child.get("d", "").strip())
                or (own_fill == "none" and own_stroke == "none")
            )
        )
        if tag == "text" and len(child) == 0 and not (child.text or "").strip():
            invisible = True
        if invisible:
            node.remove(child)
            continue
        _strip(child, own_fill, own_stroke)


def _line_path(line: ET.Element) -> str | None:
    """A ``<line>`` as path data (``M x,y l dx,dy``), or None when its transform is more than
    a translation."""
    dx = dy = 0.0
    transform = line.get("transform")
    if transform:
        found = _TRANSLATE.match(transform.strip())
        if found is None:
            return None
        dx, dy = float(found.group(1)), float(found.group(2) or 0)
    x1, y1 = float(line.get("x1", 0)), float(line.get("y1", 0))
    x2, y2 = float(line.get("x2", 0)), float(line.get("y2", 0))
    return f"M{_num(x1 + dx)},{_num(y1 + dy)}l{_num(x2 - x1)},{_num(y2 - y1)}"


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _paint(line: ET.Element) -> tuple[tuple[str, str], ...]:
    """What a line is drawn with (every attribute but its geometry)."""
    geometry = ("x1", "y1", "x2", "y2", "transform")
    return tuple(sorted((k, v) for k, v in line.attrib.items() if k not in geometry))


def _merge_lines(node: ET.Element) -> None:
    """Replace each run of sibling ``<line>``s drawn alike with one ``<path>``."""
    children = list(node)
    i = 0
    while i < len(children):
        child = children[i]
        if _local(child.tag) != "line" or _line_path(child) is None:
            _merge_lines(child)
            i += 1
            continue
        run = [child]
        while (
            i + len(run) < len(children)
            and _local(children[i + len(run)].tag) == "line"
            and _paint(children[i + len(run)]) == _paint(child)
            and _line_path(children[i + len(run)]) is not None
        ):
            run.append(children[i + len(run)])
        if len(run) > 1:
            path = ET.Element(f"{_Q}path", dict(_paint(child)))
            path.set("d", "".join(_line_path(line) or "" for line in run))
            at = list(node).index(child)
            for line in run:
                node.remove(line)
            node.insert(at, path)
        i += len(run)


def _share_text_style(node: ET.Element) -> None:
    """Move the text attributes every ``<text>`` child of a group shares up to the group."""
    for child in node:
        _share_text_style(child)
    texts = [c for c in node if _local(c.tag) == "text"]
    if _local(node.tag) != "g" or not texts or len(texts) != len(node):
        return
    for key in _TEXT_SHARED:
        values = {t.get(key) for t in texts}
        if len(values) == 1 and None not in values and key not in node.attrib:
            node.set(key, values.pop() or "")
            for t in texts:
                del t.attrib[key]


def _lift_groups(node: ET.Element) -> None:
    """Lift the children of groups without attributes (or with an empty translation) into
    their parent, and drop empty groups."""
    for child in list(node):
        if _local(child.tag) not in _KEEP:
            _lift_groups(child)
    for child in list(node):
        if _local(child.tag) == "g":
            if child.get("transform", "").replace(" ", "") in ("translate(0,0)", "translate(0)"):
                del child.attrib["transform"]
            if len(child) == 0 and not (child.text or "").strip():
                node.remove(child)
                continue
            if not child.attrib:
                index = list(node).index(child)
                node.remove(child)
                for j, grandchild in enumerate(list(child)):
                    node.insert(index + j, grandchild)
