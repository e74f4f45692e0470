"""Shaded PNG preview of the coupler: the whole part and a half section through two bores.

A small z-buffer rasteriser in numpy, because matplotlib's 3-D axes sort whole
polygons by depth and draw long CAD triangles through each other.  Flat
Lambert shading from two lights, outlines where depth jumps or the surface
creases, faces lying in the section plane drawn in a lighter colour.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")  # headless: no display on CI

import matplotlib.pyplot as plt
import numpy as np
from build123d import Keep, Plane, Solid

_BODY = np.array([0.86, 0.52, 0.16])  # amber: an opaque PETG/ABS print
_CUT = np.array([0.97, 0.86, 0.62])  # section faces
# Lights fixed to the camera (right, up, towards viewer): key from the upper left, fill from the right.
_LIGHTS = [(np.array([-0.45, 0.55, 0.7]), 0.7), (np.array([0.8, -0.1, 0.6]), 0.25)]
_SUPERSAMPLE = 2


def _triangles(shape: Solid) -> np.ndarray:
    verts, tris = shape.tessellate(0.05, angular_tolerance=0.15)
    v = np.array([(p.X, p.Y, p.Z) for p in verts])
    return v[np.array(tris)]


def _view_matrix(elev: float, azim: float, up: float) -> np.ndarray:
    """Rows: screen right, screen up, towards the viewer (orthographic camera); up = +1 or -1 along z."""
    e, a = math.radians(elev), math.radians(azim)
    toward = np.array([math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e)])
    up_hint = np.array([0.0, 0.0, up])
    right = np.cross(up_hint, toward)
    right /= np.linalg.norm(right)
    return np.array([right, np.cross(toward, right), toward])


def rasterise(tri: np.ndarray, base: np.ndarray, elev: float, azim: float, size: int,
              up: float = 1.0) -> np.ndarray:
    """RGB image (size x size) of the triangles (base colour each) seen from (elev, azim) degrees."""
    n = size * _SUPERSAMPLE
    cam = tri @ _view_matrix(elev, azim, up).T
    colours = _shade(cam, base)
    lo, hi = cam.reshape(-1, 3).min(axis=0), cam.reshape(-1, 3).max(axis=0)
    scale = 0.9 * n / (hi[:2] - lo[:2]).max()
    centre = (lo[:2] + hi[:2]) / 2
    px = (cam[:, :, 0] - centre[0]) * scale + n / 2
    py = n / 2 - (cam[:, :, 1] - centre[1]) * scale
    depth = np.full((n, n), -np.inf)
    image = np.ones((n, n, 3))
    face_id = np.full((n, n), -1)
    for i in range(len(tri)):
        x, y, z = px[i], py[i], cam[i, :, 2]
        x0, x1 = max(int(x.min()), 0), min(int(x.max()) + 1, n - 1)
        y0, y1 = max(int(y.min()), 0), min(int(y.max()) + 1, n - 1)
        area = (x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0])
        if x1 < x0 or y1 < y0 or abs(area) < 1e-9:
            continue
        gx, gy = np.meshgrid(np.arange(x0, x1 + 1) + 0.5, np.arange(y0, y1 + 1) + 0.5)
        w0 = ((x[1] - gx) * (y[2] - gy) - (x[2] - gx) * (y[1] - gy)) / area
        w1 = ((x[2] - gx) * (y[0] - gy) - (x[0] - gx) * (y[2] - gy)) / area
        w2 = 1 - w0 - w1
        inside = (w0 >= -1e-6) & (w1 >= -1e-6) & (w2 >= -1e-6)
        zi = w0 * z[0] + w1 * z[1] + w2 * z[2]
        region = depth[y0:y1 + 1, x0:x1 + 1]
        win = inside & (zi > region)
        region[win] = zi[win]
        image[y0:y1 + 1, x0:x1 + 1][win] = colours[i]
        face_id[y0:y1 + 1, x0:x1 + 1][win] = i
    image = _outline(image, depth, face_id, tri)
    return image.reshape(size, _SUPERSAMPLE, size, _SUPERSAMPLE, 3).mean(axis=(1, 3))


def _outline(image, depth, face_id, tri) -> np.ndarray:
    """Darken silhouette pixels (depth jumps) and creases (neighbouring normals > 25 degrees apart)."""
    normals = _normals(tri)
    hit = face_id >= 0
    nrm = np.where(hit[..., None], normals[np.maximum(face_id, 0)], 0)
    edge = np.zeros(depth.shape, bool)
    jump = 0.6  # mm of depth between neighbouring pixels: a step, not a slanted face
    for axis in (0, 1):
        a = [slice(None)] * 2
        b = [slice(None)] * 2
        a[axis], b[axis] = slice(1, None), slice(None, -1)
        da, db = depth[tuple(a)], depth[tuple(b)]
        ha, hb = hit[tuple(a)], hit[tuple(b)]
        crease = (nrm[tuple(a)] * nrm[tuple(b)]).sum(-1) < math.cos(math.radians(25))
        both = ha & hb
        step = np.zeros_like(both)
        step[both] = np.abs(da[both] - db[both]) > jump
        e = (ha != hb) | step | (both & crease)
        edge[tuple(a)] |= e
    image[edge] *= 0.25
    return image


def _normals(tri: np.ndarray) -> np.ndarray:
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    return n / (np.linalg.norm(n, axis=1, keepdims=True) + 1e-12)


def _shade(cam_tri: np.ndarray, base: np.ndarray) -> np.ndarray:
    normals = _normals(cam_tri)
    light = np.full(len(cam_tri), 0.3)
    for direction, weight in _LIGHTS:
        light += weight * np.clip(normals @ (direction / np.linalg.norm(direction)), 0, 1)
    return np.clip(base * light[:, None], 0, 1)


def _base_colours(tri: np.ndarray, cut_plane: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    base = np.tile(_BODY, (len(tri), 1))
    if cut_plane is not None:
        origin, normal = cut_plane
        on_plane = (np.abs((tri - origin) @ normal) < 1e-3).all(axis=1)
        base[on_plane] = _CUT
    return base


def render_preview(part: Solid, path: str, caption: str, size: int = 420) -> None:
    """Write a two-panel PNG: the part from the emitter side, and a half section through two bores."""
    whole = _triangles(part)
    # Diagonal cut through bores at (+x,+y) and (-x,-y), the funnel and the outlet.
    normal = np.array([1.0, -1.0, 0.0]) / math.sqrt(2)
    half = part.split(Plane(origin=(0, 0, 0), z_dir=tuple(normal)), keep=Keep.BOTTOM)
    cut = _triangles(half)
    panels = [
        # Emitter face up, as if looking at the mounted part from the LED board's side.
        (rasterise(whole, _base_colours(whole), -35, -120, size, up=-1.0), "emitter face, flange with M4 holes"),
        (rasterise(cut, _base_colours(cut, (np.zeros(3), normal)), 20, -70, size),
         "section: LED bores, mixing funnel, fibre outlet"),
    ]
    fig, axes = plt.subplots(1, 2, figsize=(2 * size / 100, size / 100 + 0.6), dpi=100)
    for ax, (img, title) in zip(axes, panels):
        ax.imshow(img, interpolation="lanczos")
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
    fig.suptitle(caption, fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
