#!/usr/bin/env python3
"""Keeps README's benchmark figures equal to docs/BENCHMARKS.md's summary table.

The README block between `<!-- bench-summary:start -->` and `<!-- bench-summary:end -->` is
generated from the first table under "## Summary" in docs/BENCHMARKS.md (its target, measured and
verdict columns). `--check` (run by `make lint`) fails when the README differs; without it the
README is rewritten. One source of truth: a new benchmark run updates BENCHMARKS.md, then this.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- bench-summary:start -->", "<!-- bench-summary:end -->"


def summary_rows(text: str) -> list[list[str]]:
    section = text.split("\n## Summary", 1)
    if len(section) < 2:
        sys.exit("readme_figures: docs/BENCHMARKS.md has no '## Summary' section")
    rows = []
    for line in section[1].splitlines():
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            break  # the end of the first table
    if len(rows) < 3:
        sys.exit("readme_figures: no table under '## Summary' in docs/BENCHMARKS.md")
    header, body = rows[0], rows[2:]
    try:
        cols = [header.index("target"), header.index("measured (final run)"), header.index("verdict")]
    except ValueError:
        sys.exit(f"readme_figures: summary header must have target/measured (final run)/verdict, got {header}")
    return [[r[c] for c in cols] for r in body]


def block(rows: list[list[str]]) -> str:
    lines = [START, "| target | measured (docs/BENCHMARKS.md, final run) | verdict |", "|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines.append(END)
    return "\n".join(lines)


def main() -> None:
    readme = (ROOT / "README.md").read_text()
    want = block(summary_rows((ROOT / "docs/BENCHMARKS.md").read_text()))
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        sys.exit(f"readme_figures: README.md has no {START} … {END} block")
    updated = pattern.sub(lambda _: want, readme)
    if "--check" in sys.argv[1:]:
        if updated != readme:
            sys.exit("readme_figures: README's benchmark summary differs from docs/BENCHMARKS.md; "
                     "run scripts/readme_figures.py")
        print("readme_figures: README's benchmark summary matches docs/BENCHMARKS.md")
        return
    (ROOT / "README.md").write_text(updated)


if __name__ == "__main__":
    main()
