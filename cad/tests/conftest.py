"""Shared built parts: each boolean build takes a fraction of a second, but sections and
classification are repeated across tests, so every variant is built once per session."""

from dataclasses import replace

import pytest

from coupler import DEFAULT, FILTER_VARIANT, build_coupler

# 8 emitters on a 2 x 4 grid at the default 10 mm pitch: the circular funnel around
# them is 37.7 mm wide, so the body and flange grow to keep min_wall everywhere, and
# the body gets longer to keep the funnel wall within 45 degrees of the axis.
EIGHT_EMITTERS = replace(DEFAULT, emitter_rows=2, emitter_cols=4, body_width=42.0, body_depth=42.0,
                         body_length=36.0, flange_hole_spacing=52.0, flange_length=60.0)

VARIANTS = {"default": DEFAULT, "filter": FILTER_VARIANT, "2x4": EIGHT_EMITTERS}


@pytest.fixture(scope="session", params=sorted(VARIANTS))
def variant(request):
    """(params, solid) for every variant in turn."""
    params = VARIANTS[request.param]
    return params, build_coupler(params)
