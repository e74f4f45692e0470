"""Parameters that cannot make a sound part are refused, naming the parameter and what is valid."""

from dataclasses import replace

import pytest

from coupler import DEFAULT, build_coupler, validate

REFUSED = [
    # (case, changes, parameter the message must name, words that say what is valid or wrong)
    ("bores overlap", dict(emitter_pitch=5.0), "emitter_pitch", "overlap"),
    ("bore web under min_wall", dict(emitter_pitch=5.5), "emitter_pitch", "need emitter_pitch >= 6.3"),
    ("bores outside body (x)", dict(emitter_cols=3), "emitter_cols", "outside the body"),
    ("bores outside body (y)", dict(emitter_rows=3), "emitter_rows", "outside the body"),
    ("bores outside body (pitch)", dict(emitter_pitch=20.0), "emitter_pitch", "outside the body"),
    ("outlet wider than body", dict(outlet_d=30.0), "outlet_d", "narrower than the body"),
    ("funnel wider than body", dict(body_width=20.0, body_depth=20.0, flange_hole_spacing=30.0),
     "funnel_margin", "does not fit the body"),
    ("no room for funnel", dict(body_length=18.0), "body_length", "no room for the funnel"),
    ("funnel too steep to print", dict(outlet_depth=15.0), "body_length", "half-angle"),
    ("angle limit not an angle", dict(max_funnel_half_angle=90.0), "max_funnel_half_angle", "below 90"),
    ("flange thicker than body", dict(flange_thickness=30.0), "flange_thickness", "less than body_length"),
    ("flange holes cut body", dict(flange_hole_spacing=26.0), "flange_hole_spacing", "cut into the body"),
    ("flange holes off flange", dict(flange_length=38.0), "flange_length", "need flange_length >="),
    ("negative size", dict(body_length=-30.0), "body_length", "> 0"),
    ("not a number", dict(outlet_d=float("nan")), "outlet_d", "> 0"),
    ("zero rows", dict(emitter_rows=0), "emitter_rows", "integer >= 1"),
    ("fractional cols", dict(emitter_cols=2.5), "emitter_cols", "integer >= 1"),
    ("filter narrower than outlet", dict(filter_slot=True, filter_slot_width=2.0), "filter_slot_width", "cover the outlet"),
    ("filter wider than body", dict(filter_slot=True, filter_slot_width=23.0), "filter_slot_width",
     "does not fit the body"),
    ("filter slot eats fibre seat", dict(filter_slot=True, filter_slot_thickness=7.5), "filter_slot_thickness",
     "fibre seat"),
]


@pytest.mark.parametrize("case,changes,name,words", REFUSED, ids=[r[0] for r in REFUSED])
def test_unusable_parameters_are_refused_by_name(case, changes, name, words):
    params = replace(DEFAULT, **changes)
    with pytest.raises(ValueError) as err:
        build_coupler(params)
    message = str(err.value)
    assert f"{name}=" in message, message
    assert words in message, message


def test_defaults_and_variants_pass_validation():
    """Control for the refusals: the defaults and the filter variant are accepted as they are."""
    validate(DEFAULT)
    validate(replace(DEFAULT, filter_slot=True))


def test_default_dimensions_are_the_specified_ones():
    """The brief's numbers, so a careless edit of a default shows up here."""
    p = DEFAULT
    assert (p.emitter_rows, p.emitter_cols, p.emitter_pitch) == (2, 2, 10.0)
    assert (p.emitter_bore_d, p.emitter_bore_depth) == (5.1, 10.0)
    assert p.outlet_d == 2.2
    assert (p.body_width, p.body_depth, p.body_length) == (25.0, 25.0, 30.0)
    assert (p.flange_thickness, p.flange_hole_d, p.flange_hole_spacing / 2) == (5.0, 4.2, 17.5)
    assert p.filter_slot_width == 5.6


def test_parameter_table_lists_every_field():
    """docs/cad.md's parameter table has one row per CouplerParams field, with its current default."""
    import re
    from dataclasses import fields
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "cad.md").read_text()
    table = doc.split("## Parameters", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", table, flags=re.M))
    names = [f.name for f in fields(DEFAULT)]
    assert sorted(rows) == sorted(names)
    for name in names:
        assert rows[name] == str(getattr(DEFAULT, name)), f"docs/cad.md lists {name} = {rows[name]}"
