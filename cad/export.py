"""Build the default coupler and the filter-slot variant; write STL, STEP and a PNG preview.

Usage: python cad/export.py OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from build123d import export_step, export_stl

from coupler import DEFAULT, FILTER_VARIANT, build_coupler
from render import render_preview

# Fixed so the STEP files are byte-identical from run to run.
_STEP_TIMESTAMP = "2026-01-01T00:00:00"
# Chord tolerance of the STL: 0.02 mm is below an FDM printer's resolution.
_STL_TOLERANCE = 0.02


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: export.py OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, params in (("coupler", DEFAULT), ("coupler-filter", FILTER_VARIANT)):
        part = build_coupler(params)
        if not export_stl(part, out / f"{name}.stl", tolerance=_STL_TOLERANCE):
            print(f"export.py: writing {name}.stl failed", file=sys.stderr)
            return 1
        if not export_step(part, out / f"{name}.step", timestamp=_STEP_TIMESTAMP):
            print(f"export.py: writing {name}.step failed", file=sys.stderr)
            return 1
        print(f"{name}: volume {part.volume:.1f} mm^3 -> {out / name}.stl, .step")
    render_preview(build_coupler(DEFAULT), str(out / "coupler.png"),
                   "Speckle optical coupler: 4 x 5 mm LEDs into 1 mm POF")
    print(f"preview -> {out / 'coupler.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
