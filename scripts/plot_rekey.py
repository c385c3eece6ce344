#!/usr/bin/env python3
"""Plots the rekey cost of a leave against group size from mpsec_bench JSON output.

    scripts/plot_rekey.py bench.json [docs/rekey_cost.svg]

Reads lkh/leave/<d>/<n> (d = 2, 4, 8) and flat/leave/<n> (medians when the run has
aggregates, else the single run) and writes a hand-made SVG with two panels: GCKS compute
per leave (CPU time of the benchmark thread) and rekey message bytes (counter rekey_bytes),
both against n on a log2 axis, one line per key graph, with the issue's goals (1 ms, 4 KiB)
dashed. Python 3 standard library only.
"""

import json
import math
import re
import sys
from html import escape

# prefix, label, colour, line width: d=2 is drawn wide under d=4, which it can coincide with
# (d log_d n wraps per leave is the same for d = 2 and d = 4).
SERIES = [
    ("lkh/leave/2/", "LKH d=2", "#1f77b4", 6),
    ("lkh/leave/4/", "LKH d=4", "#d62728", 2),
    ("lkh/leave/8/", "LKH d=8", "#2ca02c", 2),
    ("flat/leave/", "flat table", "#9467bd", 2),
]
TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}

W, H = 960, 420
PANEL_W, PANEL_H = 380, 290
MARGIN_L, MARGIN_T = 80, 50
GAP = 100


def load(path):
    """{series prefix: {n: (time_us, rekey_bytes)}} from a Google Benchmark JSON file."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    runs = data.get("benchmarks", [])
    has_median = any(b.get("aggregate_name") == "median" for b in runs)
    out = {prefix: {} for prefix, _, _, _ in SERIES}
    for b in runs:
        if has_median:
            if b.get("aggregate_name") != "median":
                continue
        elif b.get("run_type") == "aggregate":
            continue
        name = b.get("run_name", b["name"])
        for prefix, _, _, _ in SERIES:
            m = re.fullmatch(re.escape(prefix) + r"(\d+)", name)
            if m:
                t = b["cpu_time"] * TO_US[b.get("time_unit", "ns")]
                out[prefix][int(m.group(1))] = (t, b.get("rekey_bytes"))
    return out


def log_ticks(lo, hi, binary=False):
    """Powers of ten with 2 and 5 between them (or powers of two), covering [lo, hi]."""
    if binary:
        return [2**e for e in range(math.ceil(math.log2(lo)), math.floor(math.log2(hi)) + 1)]
    ticks = []
    e = math.floor(math.log10(lo))
    while 10**e <= hi * 10:
        for k in (1, 2, 5):
            v = k * 10**e
            if lo <= v <= hi:
                ticks.append(v)
        e += 1
    return ticks


def fmt(v, unit):
    if unit == "us":
        if v >= 1000:
            return f"{v / 1000:g} ms"
        return f"{v:g} \u00b5s"
    if v >= 1024:
        return f"{v / 1024:g} KiB"
    return f"{v:g} B"


def panel(x0, y0, title, ylabel, unit, points, goal, xs):
    """SVG of one panel: points = [(label, colour, [(n, value)])]."""
    values = [v for _, _, _, pts in points for _, v in pts if v is not None and v > 0]
    if goal:
        values.append(goal[0])
    if not values:
        values = [1, 10]
    lo, hi = min(values) / 1.5, max(values) * 1.5
    x_lo, x_hi = math.log2(min(xs)), math.log2(max(xs))
    if x_hi == x_lo:
        x_lo, x_hi = x_lo - 1, x_hi + 1

    def px(n):
        return x0 + (math.log2(n) - x_lo) / (x_hi - x_lo) * PANEL_W

    def py(v):
        return y0 + PANEL_H - (math.log10(v) - math.log10(lo)) / (
            math.log10(hi) - math.log10(lo)) * PANEL_H

    s = []
    s.append(f'<text x="{x0 + PANEL_W / 2}" y="{y0 - 18}" text-anchor="middle" '
             f'font-size="15" font-weight="bold">{escape(title)}</text>')
    s.append(f'<rect x="{x0}" y="{y0}" width="{PANEL_W}" height="{PANEL_H}" '
             f'fill="none" stroke="#333"/>')
    # x axis: powers of two.
    for e in range(math.ceil(x_lo), math.floor(x_hi) + 1):
        x = px(2**e)
        s.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + PANEL_H}" '
                 f'stroke="#ddd"/>')
        s.append(f'<text x="{x:.1f}" y="{y0 + PANEL_H + 16}" text-anchor="middle" '
                 f'font-size="11">2<tspan dy="-5" font-size="8">{e}</tspan></text>')
    s.append(f'<text x="{x0 + PANEL_W / 2}" y="{y0 + PANEL_H + 38}" text-anchor="middle" '
             f'font-size="12">group size n (members, log2 scale)</text>')
    # y axis: log10.
    for v in log_ticks(lo, hi, binary=unit == "bytes"):
        y = py(v)
        s.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + PANEL_W}" y2="{y:.1f}" '
                 f'stroke="#eee"/>')
        s.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" '
                 f'font-size="11">{escape(fmt(v, unit))}</text>')
    s.append(f'<text transform="translate({x0 - 62},{y0 + PANEL_H / 2}) rotate(-90)" '
             f'text-anchor="middle" font-size="12">{escape(ylabel)}</text>')
    if goal:
        y = py(goal[0])
        s.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + PANEL_W}" y2="{y:.1f}" '
                 f'stroke="#888" stroke-dasharray="6,4"/>')
        s.append(f'<text x="{x0 + 4}" y="{y - 4:.1f}" font-size="11" '
                 f'fill="#555">{escape(goal[1])}</text>')
    for label, colour, width, pts in points:
        pts = [(n, v) for n, v in pts if v is not None and v > 0]
        if not pts:
            continue
        path = " ".join(f"{px(n):.1f},{py(v):.1f}" for n, v in pts)
        opacity = 0.45 if width > 2 else 1
        s.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                 f'stroke-width="{width}" stroke-opacity="{opacity}">'
                 f'<title>{escape(label)}</title></polyline>')
        for n, v in pts:
            s.append(f'<circle cx="{px(n):.1f}" cy="{py(v):.1f}" r="3" fill="{colour}">'
                     f'<title>{escape(label)} n={n}: {escape(fmt(round(v, 1), unit))}'
                     f'</title></circle>')
    return s


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out_path = argv[2] if len(argv) > 2 else "docs/rekey_cost.svg"
    data = load(argv[1])
    xs = sorted({n for series in data.values() for n in series})
    if not xs:
        sys.exit(f"no lkh/leave or flat/leave results in {argv[1]}")
    time_pts, byte_pts = [], []
    for prefix, label, colour, width in SERIES:
        series = data[prefix]
        ns = sorted(series)
        time_pts.append((label, colour, width, [(n, series[n][0]) for n in ns]))
        byte_pts.append((label, colour, width, [(n, series[n][1]) for n in ns]))

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" font-family="sans-serif">',
           f'<rect width="{W}" height="{H}" fill="white"/>']
    svg += panel(MARGIN_L, MARGIN_T, "GCKS compute per leave", "CPU time per leave (median)",
                 "us", time_pts, (1000.0, "goal: 1 ms at 2^20, d=4"), xs)
    svg += panel(MARGIN_L + PANEL_W + GAP, MARGIN_T, "Rekey message per leave",
                 "rekey bytes", "bytes", byte_pts, (4096.0, "goal: 4 KiB at 2^20, d=4"), xs)
    # Legend, under the panels.
    lx, ly = MARGIN_L, H - 14
    for _, label, colour, width in SERIES:
        svg.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 24}" y2="{ly - 4}" '
                   f'stroke="{colour}" stroke-width="{max(width, 3)}" '
                   f'stroke-opacity="{0.45 if width > 2 else 1}"/>')
        svg.append(f'<text x="{lx + 30}" y="{ly}" font-size="12">{escape(label)}</text>')
        lx += 140
    svg.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 24}" y2="{ly - 4}" stroke="#888" '
               f'stroke-dasharray="6,4"/>')
    svg.append(f'<text x="{lx + 30}" y="{ly}" font-size="12">goal (issue 5)</text>')
    svg.append("</svg>")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(svg) + "\n")
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main(sys.argv)
