"""The built solid against its parameters: validity, closed mesh, size, volume, bore
diameters by cross-section, and an air path from every emitter to the fibre.

Expected values are computed here from the parameters with elementary formulae,
never by calling the construction code again."""

import math

import numpy as np
import pytest
import trimesh
from build123d import Face, Plane, Rectangle, export_stl

# OCC tessellation of curved faces loses a little volume; 0.02 mm chords keep it under 0.2 %.
STL_TOLERANCE = 0.02


def expected_volume(p) -> float:
    """Block + flange ears - flange holes - bores - funnel frustum - outlet - filter slot."""
    solid = p.body_width * p.body_depth * p.body_length
    solid += (p.flange_length - p.body_width) * p.body_depth * p.flange_thickness
    holes = 2 * math.pi * (p.flange_hole_d / 2) ** 2 * p.flange_thickness
    bores = p.emitter_rows * p.emitter_cols * math.pi * (p.emitter_bore_d / 2) ** 2 * p.emitter_bore_depth
    # The funnel's wide end: farthest bore centre from the axis, plus bore radius and margin.
    half_x = (p.emitter_cols - 1) * p.emitter_pitch / 2
    half_y = (p.emitter_rows - 1) * p.emitter_pitch / 2
    big_r = math.hypot(half_x, half_y) + p.emitter_bore_d / 2 + p.funnel_margin
    small_r = p.outlet_d / 2
    funnel_h = p.body_length - p.emitter_bore_depth - p.outlet_depth
    funnel = math.pi * funnel_h / 3 * (big_r ** 2 + big_r * small_r + small_r ** 2)
    outlet = math.pi * small_r ** 2 * p.outlet_depth
    slot = 0.0
    if p.filter_slot:
        # Box from y = -w/2 to the +y face, minus the part of it the outlet bore already removed.
        slot = p.filter_slot_width * (p.body_depth / 2 + p.filter_slot_width / 2) * p.filter_slot_thickness
        slot -= math.pi * small_r ** 2 * p.filter_slot_thickness
    return solid - holes - bores - funnel - outlet - slot


def section(solid, z: float) -> Face:
    """The solid's cross-section in the plane z = const, as one face with holes."""
    cut = solid & (Plane.XY.offset(z) * Rectangle(500, 500)).faces()[0]
    faces = cut.faces()
    assert len(faces) == 1, f"section at z={z} has {len(faces)} faces"
    return faces[0]


def holes_of(face: Face) -> list[tuple[float, float, float]]:
    """(x, y, diameter) of each hole in a section face, sorted by (x, y); each hole must be
    round: its area-equivalent diameter equals its width in x and in y."""
    out = []
    for wire in face.inner_wires():
        disc = Face(wire)
        c = disc.center()
        d = 2 * math.sqrt(disc.area / math.pi)
        size = disc.bounding_box(optimal=True).size
        assert (size.X, size.Y) == pytest.approx((d, d), abs=1e-3), f"hole at {c} is not round"
        out.append((round(c.X, 6), round(c.Y, 6), d))
    return sorted(out)


def assert_holes(found, expected, tol=1e-4):
    expected = sorted(expected)
    assert len(found) == len(expected), f"found holes {found}, expected {expected}"
    for got, want in zip(found, expected):
        assert got == pytest.approx(want, abs=tol)


def stl_mesh(solid, tmp_path) -> trimesh.Trimesh:
    path = tmp_path / "part.stl"
    assert export_stl(solid, str(path), tolerance=STL_TOLERANCE)
    return trimesh.load(str(path), file_type="stl", process=True)


def test_brep_is_one_valid_solid(variant):
    _, solid = variant
    assert solid.is_valid
    assert len(solid.solids()) == 1


def test_mesh_is_closed_and_manifold(variant, tmp_path):
    p, solid = variant
    mesh = stl_mesh(solid, tmp_path)
    assert mesh.is_watertight, "STL has open edges"
    assert mesh.is_winding_consistent, "STL faces are not consistently oriented"
    assert mesh.is_volume, "STL does not bound a volume"
    assert mesh.volume == pytest.approx(solid.volume, rel=2e-3)
    # Genus counts through-passages: 2 flange holes plus one per bore joined to the outlet
    # (n + 1 openings on one connected channel make n handles), plus one for the filter
    # slot's side opening.  A bore not reaching the funnel would lower it.
    genus = 2 + p.emitter_rows * p.emitter_cols + (1 if p.filter_slot else 0)
    assert mesh.euler_number == 2 - 2 * genus


def test_bounding_box_matches_parameters(variant):
    p, solid = variant
    size = solid.bounding_box().size
    assert (size.X, size.Y, size.Z) == pytest.approx((p.flange_length, p.body_depth, p.body_length), abs=1e-3)
    lo = solid.bounding_box().min
    assert (lo.X, lo.Y, lo.Z) == pytest.approx((-p.flange_length / 2, -p.body_depth / 2, 0), abs=1e-3)


def test_volume_matches_analytic(variant):
    p, solid = variant
    assert solid.volume == pytest.approx(expected_volume(p), rel=1e-6)


def test_flange_section_has_bores_and_mounting_holes(variant):
    p, solid = variant
    face = section(solid, p.flange_thickness / 2)
    outer = face.outer_wire().bounding_box().size
    assert (outer.X, outer.Y) == pytest.approx((p.flange_length, p.body_depth), abs=1e-3)
    expected = [(x, y, p.emitter_bore_d) for x, y in p.emitter_centres]
    expected += [(s * p.flange_hole_spacing / 2, 0.0, p.flange_hole_d) for s in (-1, 1)]
    assert_holes(holes_of(face), expected)


def test_body_section_above_flange_has_only_bores(variant):
    p, solid = variant
    z = (p.flange_thickness + p.emitter_bore_depth) / 2
    face = section(solid, z)
    outer = face.outer_wire().bounding_box().size
    assert (outer.X, outer.Y) == pytest.approx((p.body_width, p.body_depth), abs=1e-3)
    assert_holes(holes_of(face), [(x, y, p.emitter_bore_d) for x, y in p.emitter_centres])


def test_funnel_tapers_linearly(variant):
    p, solid = variant
    top = p.funnel_top_d
    for frac in (0.25, 0.5, 0.75):
        z = p.emitter_bore_depth + frac * p.funnel_length
        (x, y, d), = holes_of(section(solid, z))
        assert (x, y) == pytest.approx((0, 0), abs=1e-4)
        assert d == pytest.approx(top + frac * (p.outlet_d - top), abs=1e-4)


def test_outlet_bore_diameter(variant):
    p, solid = variant
    (x, y, d), = holes_of(section(solid, p.body_length - 0.5))
    assert (x, y, d) == pytest.approx((0, 0, p.outlet_d), abs=1e-4)


def light_path(p, bore_xy, samples: int = 60) -> np.ndarray:
    """Points on the straight path: down the bore axis, across the funnel to the outlet
    entrance, then along the outlet to the fibre face.  End points are kept 0.01 mm
    inside the part's faces so the classifier is not asked about boundary points."""
    x, y = bore_xy
    entrance = p.body_length - p.outlet_depth
    legs = [((x, y, 0.01), (x, y, p.emitter_bore_depth)),
            ((x, y, p.emitter_bore_depth), (0, 0, entrance)),
            ((0, 0, entrance), (0, 0, p.body_length - 0.01))]
    t = np.linspace(0, 1, samples)[:, None]
    return np.vstack([np.array(a) + t * (np.array(b) - np.array(a)) for a, b in legs])


def test_every_emitter_sees_the_outlet_through_air(variant):
    p, solid = variant
    for bore in p.emitter_centres:
        blocked = [tuple(pt) for pt in light_path(p, bore) if solid.is_inside(tuple(pt))]
        assert not blocked, f"light path from bore {bore} passes through material at {blocked[:3]}"


def test_classifier_finds_material_off_the_path(variant):
    """Control for the air-path test: points in the walls classify as inside."""
    p, solid = variant
    x, y = p.emitter_centres[0]
    assert not solid.is_inside((x, y, p.emitter_bore_depth / 2))  # the bore axis is air...
    # ...but half a pitch off it, between bores (or beside a lone one), there is material,
    # as there is beside the outlet and in the flange next to a mounting hole.
    between = (x + p.emitter_pitch / 2 if p.emitter_cols > 1 else x + p.emitter_bore_d / 2 + p.min_wall / 2,
               y, p.emitter_bore_depth / 2)
    for pt in (between,
               (p.outlet_d / 2 + p.min_wall / 2, 0, p.body_length - 1),
               (p.flange_hole_spacing / 2 + p.flange_hole_d / 2 + 0.5, 0, p.flange_thickness / 2)):
        assert solid.is_inside(pt), f"{pt} should be material"
