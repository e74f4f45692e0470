"""Parametric optical coupler: four (or more) LED emitters into one plastic optical fibre.

The part is a block with a mounting flange on the emitter face.  Emitter bores
(blind holes the 5 mm LEDs sit in) open into one conical mixing funnel whose
narrow end is the fibre outlet bore, so every emitter's light reaches the fibre
and the speckle pattern in the fibre mixes all sources.

Coordinate frame (millimetres): the emitter face, flange included, lies in
z = 0 and the body grows towards +z; the fibre leaves through the outlet face
at z = body_length.  The optical axis is the z axis.  Printing with the
emitter face on the bed needs no support: the funnel narrows upwards at less
than 45 degrees from vertical, the bores and outlet are vertical holes.

Every dimension is a field of `CouplerParams`; `build_coupler` refuses
parameters that cannot make a sound part with a ValueError naming the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import NoReturn

from build123d import Align, Box, Cone, Cylinder, Pos, Solid


@dataclass(frozen=True)
class CouplerParams:
    # Body: a rectangular block, optical axis along its length.
    body_width: float = 25.0  # x
    body_depth: float = 25.0  # y
    body_length: float = 30.0  # z, emitter face to outlet face
    # Emitter bores: a rows x cols grid centred on the optical axis.
    emitter_rows: int = 2  # along y
    emitter_cols: int = 2  # along x
    emitter_pitch: float = 10.0  # centre-to-centre, both directions
    emitter_bore_d: float = 5.1  # 5 mm LED body plus 0.1 mm clearance
    emitter_bore_depth: float = 10.0
    # Fibre outlet: 1 mm POF in a 2.0 mm jacket, 0.2 mm clearance.
    outlet_d: float = 2.2
    outlet_depth: float = 8.0
    # The funnel's wide end encloses every bore with this radial margin, so no
    # bore edge is tangent to the funnel (tangent edges make fragile B-reps).
    funnel_margin: float = 0.5
    # Mounting flange on the emitter face, extending the body along x.
    flange_thickness: float = 5.0
    flange_length: float = 45.0  # x, overall
    flange_hole_d: float = 4.2  # M4 clearance
    flange_hole_spacing: float = 35.0  # centre-to-centre: holes at +-17.5 mm
    # The funnel wall overhangs when printed emitter face down; FDM bridges up to ~45 deg from vertical.
    max_funnel_half_angle: float = 45.0  # degrees
    # Walls thinner than this do not print reliably (3 perimeters of 0.4 mm nozzle, rounded up).
    min_wall: float = 1.2
    # Optional slot for a WDM / colour filter across the funnel exit, open to the +y face.
    filter_slot: bool = False
    filter_slot_width: float = 5.6  # x: a 5.5 mm filter plus clearance
    filter_slot_thickness: float = 1.2  # z: a 1.1 mm filter plus clearance

    @property
    def funnel_length(self) -> float:
        return self.body_length - self.emitter_bore_depth - self.outlet_depth

    @property
    def emitter_centres(self) -> list[tuple[float, float]]:
        """(x, y) of every emitter bore, row-major, centred on the axis."""
        p = self.emitter_pitch
        x0 = -(self.emitter_cols - 1) * p / 2
        y0 = -(self.emitter_rows - 1) * p / 2
        return [(x0 + c * p, y0 + r * p) for r in range(self.emitter_rows) for c in range(self.emitter_cols)]

    @property
    def funnel_top_d(self) -> float:
        """Diameter of the funnel's wide end: the circle around all bores plus margin."""
        reach = max(math.hypot(x, y) for x, y in self.emitter_centres)
        return 2 * (reach + self.emitter_bore_d / 2 + self.funnel_margin)

    @property
    def funnel_half_angle(self) -> float:
        """Cone half-angle in degrees (wall angle from the axis)."""
        return math.degrees(math.atan2((self.funnel_top_d - self.outlet_d) / 2, self.funnel_length))

    @property
    def filter_slot_z(self) -> float:
        """Emitter-side face of the filter slot: the filter sits where the funnel meets the outlet."""
        return self.emitter_bore_depth + self.funnel_length


def _fail(name: str, value, why: str) -> NoReturn:
    raise ValueError(f"{name}={value!r} is invalid: {why}")


def validate(p: CouplerParams) -> None:
    """Refuse parameters that cannot make a printable, optically connected solid."""
    for f in fields(p):
        v = getattr(p, f.name)
        if isinstance(v, bool):
            continue
        if f.name in ("emitter_rows", "emitter_cols"):
            if not isinstance(v, int) or v < 1:
                _fail(f.name, v, "must be an integer >= 1")
        elif not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            _fail(f.name, v, "must be a finite number > 0")
    if p.max_funnel_half_angle >= 90:
        _fail("max_funnel_half_angle", p.max_funnel_half_angle, "must be below 90 degrees")
    if p.emitter_pitch < p.emitter_bore_d + p.min_wall and p.emitter_rows * p.emitter_cols > 1:
        _fail("emitter_pitch", p.emitter_pitch,
              f"neighbouring emitter bores (emitter_bore_d={p.emitter_bore_d}) overlap or leave a web "
              f"under min_wall={p.min_wall}; need emitter_pitch >= {p.emitter_bore_d + p.min_wall:g}")
    for count_name, count, size_name, size in (("emitter_cols", p.emitter_cols, "body_width", p.body_width),
                                               ("emitter_rows", p.emitter_rows, "body_depth", p.body_depth)):
        span = (count - 1) * p.emitter_pitch + p.emitter_bore_d + 2 * p.min_wall
        if span > size:
            raise ValueError(
                f"{count_name}={count} at emitter_pitch={p.emitter_pitch} puts bores outside the body: "
                f"the grid needs {size_name} >= {span:g} (bores of emitter_bore_d={p.emitter_bore_d} plus "
                f"min_wall={p.min_wall}), {size_name}={size}; reduce {count_name} or emitter_pitch, "
                f"or enlarge {size_name}")
    narrow = min(p.body_width, p.body_depth)
    if p.outlet_d + 2 * p.min_wall > narrow:
        _fail("outlet_d", p.outlet_d,
              f"the outlet must be narrower than the body: need outlet_d <= {narrow - 2 * p.min_wall:g} "
              f"(body {p.body_width} x {p.body_depth} less min_wall={p.min_wall} each side)")
    if p.funnel_length < p.min_wall:
        _fail("body_length", p.body_length,
              f"no room for the funnel: body_length must exceed emitter_bore_depth + outlet_depth "
              f"+ min_wall = {p.emitter_bore_depth + p.outlet_depth + p.min_wall:g}")
    if p.funnel_top_d + 2 * p.min_wall > narrow:
        _fail("funnel_margin", p.funnel_margin,
              f"the funnel around all bores is {p.funnel_top_d:.2f} mm wide and does not fit the body "
              f"({narrow} mm less min_wall each side); reduce emitter_pitch or enlarge the body")
    if p.funnel_half_angle > p.max_funnel_half_angle:
        need = (p.funnel_top_d - p.outlet_d) / 2 / math.tan(math.radians(p.max_funnel_half_angle))
        _fail("body_length", p.body_length,
              f"the funnel ({p.funnel_top_d:.2f} mm to {p.outlet_d} mm over {p.funnel_length:g} mm) has a "
              f"{p.funnel_half_angle:.1f} deg half-angle, over max_funnel_half_angle={p.max_funnel_half_angle}; "
              f"need a funnel >= {need:.2f} mm long: body_length >= "
              f"{need + p.emitter_bore_depth + p.outlet_depth:.2f}")
    if p.outlet_d >= p.funnel_top_d:
        _fail("outlet_d", p.outlet_d, f"must be smaller than the funnel's wide end ({p.funnel_top_d:.2f} mm)")
    if p.flange_thickness >= p.body_length:
        _fail("flange_thickness", p.flange_thickness, f"must be less than body_length={p.body_length}")
    hole_r, half = p.flange_hole_d / 2, p.flange_hole_spacing / 2
    if half - hole_r < p.body_width / 2 + p.min_wall:
        _fail("flange_hole_spacing", p.flange_hole_spacing,
              f"holes would cut into the body: need flange_hole_spacing >= "
              f"{p.body_width + p.flange_hole_d + 2 * p.min_wall:g}")
    if half + hole_r + p.min_wall > p.flange_length / 2:
        _fail("flange_length", p.flange_length,
              f"holes at +-{half:g} mm do not fit: need flange_length >= "
              f"{p.flange_hole_spacing + p.flange_hole_d + 2 * p.min_wall:g}")
    if p.filter_slot:
        if p.filter_slot_width < p.outlet_d + p.min_wall:
            _fail("filter_slot_width", p.filter_slot_width,
                  f"a filter must cover the outlet (outlet_d={p.outlet_d}): need >= {p.outlet_d + p.min_wall:g}")
        if p.filter_slot_width + 2 * p.min_wall > narrow:
            _fail("filter_slot_width", p.filter_slot_width,
                  f"does not fit the body ({p.body_width} x {p.body_depth}) with min_wall={p.min_wall}: "
                  f"need filter_slot_width <= {narrow - 2 * p.min_wall:g}")
        if p.filter_slot_thickness + p.min_wall > p.outlet_depth:
            _fail("filter_slot_thickness", p.filter_slot_thickness,
                  f"leaves under min_wall of fibre seat in outlet_depth={p.outlet_depth}")


def build_coupler(p: CouplerParams = CouplerParams()) -> Solid:
    """The coupler as one B-rep solid (mm); raises ValueError on unusable parameters."""
    validate(p)
    below = (Align.CENTER, Align.CENTER, Align.MIN)  # place primitives from z = 0 upwards
    part = Box(p.body_width, p.body_depth, p.body_length, align=below)
    part += Box(p.flange_length, p.body_depth, p.flange_thickness, align=below)
    for x in (-p.flange_hole_spacing / 2, p.flange_hole_spacing / 2):
        part -= Pos(x, 0, 0) * Cylinder(p.flange_hole_d / 2, p.flange_thickness, align=below)
    for x, y in p.emitter_centres:
        part -= Pos(x, y, 0) * Cylinder(p.emitter_bore_d / 2, p.emitter_bore_depth, align=below)
    part -= Pos(0, 0, p.emitter_bore_depth) * Cone(
        p.funnel_top_d / 2, p.outlet_d / 2, p.funnel_length, align=below)
    part -= Pos(0, 0, p.body_length - p.outlet_depth) * Cylinder(p.outlet_d / 2, p.outlet_depth, align=below)
    if p.filter_slot:
        # From just past the axis (so the filter centres on it) out through the +y face.
        inner_y = -p.filter_slot_width / 2
        length_y = p.body_depth / 2 - inner_y
        part -= Pos(0, inner_y + length_y / 2, p.filter_slot_z) * Box(
            p.filter_slot_width, length_y, p.filter_slot_thickness,
            align=(Align.CENTER, Align.CENTER, Align.MIN))
    solids = part.solids()
    if len(solids) != 1:
        raise RuntimeError(f"boolean result has {len(solids)} solids, expected 1")
    return solids[0]


DEFAULT = CouplerParams()
FILTER_VARIANT = replace(DEFAULT, filter_slot=True)
