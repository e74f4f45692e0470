"""`export.py OUT_DIR` (what `make cad` runs) writes loadable STL/STEP for both variants
and a non-blank preview, and writes the same bytes every time."""

import hashlib

import numpy as np
import pytest
import trimesh
from build123d import import_step
from PIL import Image

import export
from coupler import DEFAULT, FILTER_VARIANT

NAMES = {"coupler": DEFAULT, "coupler-filter": FILTER_VARIANT}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert export.main(["export.py", str(out)]) == 0
    return out


@pytest.mark.parametrize("name", sorted(NAMES))
def test_stl_and_step_round_trip(out_dir, name):
    params = NAMES[name]
    mesh = trimesh.load(str(out_dir / f"{name}.stl"), file_type="stl")
    assert mesh.is_watertight and mesh.is_volume
    step = import_step(str(out_dir / f"{name}.step"))
    solids = step.solids()
    assert len(solids) == 1 and solids[0].is_valid
    assert solids[0].volume == pytest.approx(mesh.volume, rel=2e-3)
    size = solids[0].bounding_box().size
    assert (size.X, size.Y, size.Z) == pytest.approx(
        (params.flange_length, params.body_depth, params.body_length), abs=1e-3)


def test_filter_variant_differs_from_default(out_dir):
    """The slot is really cut: the variant is lighter by at least the slot's solid part."""
    plain = trimesh.load(str(out_dir / "coupler.stl"), file_type="stl").volume
    slotted = trimesh.load(str(out_dir / "coupler-filter.stl"), file_type="stl").volume
    p = FILTER_VARIANT
    assert plain - slotted > 0.9 * p.filter_slot_width * p.body_depth / 2 * p.filter_slot_thickness


def test_preview_is_a_picture_of_the_part(out_dir):
    img = np.asarray(Image.open(out_dir / "coupler.png").convert("RGB"), dtype=float) / 255
    assert img.shape[0] > 200 and img.shape[1] > 400
    # The part is drawn in amber (red > blue); a blank or failed render is all white.
    amber = (img[..., 0] - img[..., 2]) > 0.25
    assert 0.1 < amber.mean() < 0.8, f"part covers {amber.mean():.0%} of the preview"


def test_export_is_deterministic(out_dir, tmp_path):
    assert export.main(["export.py", str(tmp_path)]) == 0
    for f in ("coupler.stl", "coupler.step", "coupler-filter.stl", "coupler-filter.step", "coupler.png"):
        first = hashlib.sha256((out_dir / f).read_bytes()).hexdigest()
        again = hashlib.sha256((tmp_path / f).read_bytes()).hexdigest()
        assert first == again, f"{f} differs between two runs"


def test_usage_error_without_out_dir(capsys):
    assert export.main(["export.py"]) == 2
    assert "usage" in capsys.readouterr().err
