#!/usr/bin/env python3
"""Checks iotcop's HTML report against the JSON report of the same input.

usage: html_check.py static PAGE.html
         The page as written: nothing in it may fetch anything. No script,
         link, img, iframe, object, embed, source, video, audio, base or
         form element; no src/href/srcset/action/data/poster/xlink:href
         attribute except a same-page "#fragment"; no CSS url() at all.
       html_check.py dom DOM.html REPORT.json
         The DOM Chromium rendered: the verdict of every guideline, PSTI
         requirement and provision as REPORT.json says it (data-status and
         the visible status word), the findings and components counts, and
         the most serious findings in report order.
       html_check.py netlog NETLOG.json [EXPECT_URL]
         Chromium's --log-net-log: no request made by the page (initiated by
         a document, keyed to the file:// page). With EXPECT_URL, the control
         case: that URL must be among the page's requests (proves the check
         sees requests at all).
Prints each problem; exits 1 on any.
"""
import json
import re
import sys
from html.parser import HTMLParser

FETCHING_TAGS = {"script", "link", "img", "iframe", "frame", "object", "embed", "source",
                 "video", "audio", "track", "base", "form", "input", "picture", "portal"}
URL_ATTRS = {"src", "href", "srcset", "action", "data", "poster", "xlink:href", "formaction",
             "background", "ping", "manifest", "codebase", "cite", "longdesc", "usemap"}


class Tree(HTMLParser):
    """A minimal DOM: elements with attributes, children and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = {"tag": "#root", "attrs": {}, "children": [], "text": []}
        self.stack = [self.root]
        self.tags = []
        self.styles = []

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": dict(attrs), "children": [], "text": []}
        self.tags.append(node)
        self.stack[-1]["children"].append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        node = {"tag": tag, "attrs": dict(attrs), "children": [], "text": []}
        self.tags.append(node)
        self.stack[-1]["children"].append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        self.stack[-1]["children"].append(data)
        if self.stack[-1]["tag"] == "style":
            self.styles.append(data)


def text_of(node):
    if isinstance(node, str):
        return node
    return "".join(text_of(c) for c in node["children"])


def parse(path):
    t = Tree()
    with open(path, encoding="utf-8") as f:
        t.feed(f.read())
    t.close()
    return t


def check_static(path, errors):
    t = parse(path)
    for node in t.tags:
        tag = node["tag"]
        if tag in FETCHING_TAGS:
            errors.append(f"element <{tag}> present")
        for name, value in node["attrs"].items():
            if name in URL_ATTRS and not (value or "").startswith("#"):
                errors.append(f"<{tag} {name}={value!r}> can fetch")
            if name == "style" and re.search(r"url\s*\(|@import", value or "", re.I):
                errors.append(f"<{tag} style={value!r}> uses url()")
            if name.startswith("on"):
                errors.append(f"<{tag}> has an event handler {name}")
    for css in t.styles:
        for m in re.finditer(r"url\s*\(\s*['\"]?([^'\")]*)|@import", css, re.I):
            errors.append(f"CSS fetches: {m.group(0)[:80]!r}")
    with open(path, encoding="utf-8") as f:
        source = f.read()
    # A scheme or a protocol-relative // in any attribute value at all.
    for m in re.finditer(r"""\s([\w:-]+)\s*=\s*["']\s*(?:[a-z][a-z0-9+.-]*:|//)""", source, re.I):
        if m.group(1).lower() not in ("content", "viewbox", "d", "style", "class", "aria-label"):
            errors.append(f"attribute {m.group(1)} holds a URL: {m.group(0)[:80]!r}")


def by_attr(tree, attr):
    return {n["attrs"][attr]: n for n in tree.tags if attr in n["attrs"]}


STATUS_WORDS = {"fail": "Fails", "pass": "Passes", "unverified": "Needs documents or manual review",
                "not-tested": "Not tested", "not-applicable": "Does not apply"}


def check_dom(dom_path, report_path, errors):
    t = parse(dom_path)
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    cells = by_attr(t, "data-guideline")
    if len(report["guidelines"]) != 13:
        errors.append(f"the JSON report has {len(report['guidelines'])} guidelines, not 13")
    for g in report["guidelines"]:
        cell = cells.get(g["id"])
        if cell is None:
            errors.append(f"{g['id']}: no cell in the guideline grid")
            continue
        if cell["attrs"].get("data-status") != g["status"]:
            errors.append(f"{g['id']}: page says {cell['attrs'].get('data-status')}, JSON {g['status']}")
        words = text_of(cell)
        if STATUS_WORDS[g["status"]] not in words or g["title"] not in words:
            errors.append(f"{g['id']}: cell text {words!r} lacks {STATUS_WORDS[g['status']]!r} or the title")
    if len(cells) != len(report["guidelines"]):
        errors.append(f"{len(cells)} guideline cells for {len(report['guidelines'])} guidelines")
    psti = by_attr(t, "data-psti")
    for p in report["psti"]:
        node = psti.get(p["id"])
        if node is None or node["attrs"].get("data-status") != p["status"]:
            errors.append(f"{p['id']}: page {node and node['attrs'].get('data-status')}, JSON {p['status']}")
        elif STATUS_WORDS[p["status"]] not in text_of(node):
            errors.append(f"{p['id']}: status word missing from {text_of(node)!r}")
    provisions = by_attr(t, "data-provision")
    for p in report["provisions"]:
        node = provisions.get(p["id"])
        if node is None or node["attrs"].get("data-status") != p["status"]:
            errors.append(f"provision {p['id']}: page {node and node['attrs'].get('data-status')}, JSON {p['status']}")
    ids = by_attr(t, "id")
    for key, section in (("findings", "findings"), ("components", "components")):
        node = ids.get(section)
        summary = next((c for c in (node or {"children": []})["children"]
                        if isinstance(c, dict) and c["tag"] == "summary"), None)
        want = f"({len(report[key])})"
        if summary is None or want not in text_of(summary):
            errors.append(f"section {section}: summary {summary and text_of(summary)!r} lacks {want}")
    shown = [n["attrs"]["data-fingerprint"] for n in t.tags if "data-fingerprint" in n["attrs"]]
    if sorted(shown) != sorted(f["fingerprint"] for f in report["findings"]):
        errors.append(f"{len(shown)} findings on the page, {len(report['findings'])} in the JSON")
    worst = [f for f in report["findings"] if f["severity"] != "info" and "suppressed" not in f][:5]
    node = ids.get("worst-findings")
    items = [c for c in node["children"] if isinstance(c, dict) and c["tag"] == "li"] if node else []
    if len(items) != len(worst):
        errors.append(f"{len(items)} most serious findings shown, expected {len(worst)}")
    for item, f in zip(items, worst):
        txt = text_of(item)
        if f["title"] not in txt or f["severity"] not in txt or f["evidence"] not in txt:
            errors.append(f"most serious finding {f['fingerprint'][:12]}: {txt[:120]!r}")


def page_requests(netlog_path):
    with open(netlog_path, encoding="utf-8") as f:
        log = json.load(f)
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    found = []
    for e in log.get("events", []):
        if names.get(e.get("type")) != "URL_REQUEST_START_JOB":
            continue
        p = e.get("params", {})
        from_page = p.get("initiator") not in (None, "not an origin") or \
            "file://" in str(p.get("network_isolation_key", ""))
        if from_page and not str(p.get("url", "")).startswith(("file:", "data:")):
            found.append(p["url"])
    return found


def check_netlog(path, expect, errors):
    found = page_requests(path)
    if expect:
        if expect not in found:
            errors.append(f"control page: {expect} not seen among {found}")
    elif found:
        errors.append(f"the page made requests: {sorted(set(found))}")


def main():
    errors = []
    if len(sys.argv) == 3 and sys.argv[1] == "static":
        check_static(sys.argv[2], errors)
    elif len(sys.argv) == 4 and sys.argv[1] == "dom":
        check_dom(sys.argv[2], sys.argv[3], errors)
    elif len(sys.argv) in (3, 4) and sys.argv[1] == "netlog":
        check_netlog(sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else None, errors)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for e in errors[:40]:
        print(f"{sys.argv[1]}: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
