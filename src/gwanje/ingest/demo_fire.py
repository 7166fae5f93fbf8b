"""Procedural flame and smoke for the demo scene: turbulent noise advected upwards, mapped through a fire palette.

Everything derives from one seed and the time since ignition, so a frame is the same whenever it is rendered.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.core.frame import Image

Field = npt.NDArray[np.float32]

_TEXTURE = 256

# Intensity -> BGR, from the dull red edge of a flame through orange to the pale yellow core.
_PALETTE_STOPS = [
    (0.00, (0, 0, 0)),
    (0.20, (10, 20, 120)),
    (0.38, (10, 50, 200)),
    (0.55, (20, 110, 250)),
    (0.72, (50, 175, 255)),
    (0.86, (120, 225, 255)),
    (1.00, (215, 250, 255)),
]


def _palette() -> npt.NDArray[np.float32]:
    xs = np.linspace(0.0, 1.0, 256)
    stops = np.array([s for s, _ in _PALETTE_STOPS])
    colours = np.array([c for _, c in _PALETTE_STOPS], dtype=np.float64)
    lut = np.stack([np.interp(xs, stops, colours[:, ch]) for ch in range(3)], axis=1)
    return lut.astype(np.float32)


def fractal_noise(rng: np.random.Generator, size: int = _TEXTURE, beta: float = 1.8) -> Field:
    """Tileable noise in 0..1 with amplitude falling as 1/f^beta: white noise filtered in the Fourier domain,
    periodic by construction, so it wraps seamlessly. Higher beta: smoother, larger blobs."""
    white = rng.standard_normal((size, size))
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    radius = np.sqrt(fx * fx + fy * fy)
    radius[0, 0] = 1.0
    spectrum = np.fft.rfft2(white) / radius**beta
    spectrum[0, 0] = 0.0
    noise = np.fft.irfft2(spectrum, s=(size, size))
    noise = (noise - noise.min()) / (noise.max() - noise.min())
    return np.asarray(noise, dtype=np.float32)


class FireRenderer:
    """Draws a growing, flickering fire with a smoke plume onto a BGR image.

    ``base`` is the (x, y) pixel where the fire touches the floor; ``t`` is seconds since ignition.
    """

    def __init__(self, rng: np.random.Generator, base: tuple[int, int], max_height: int = 170) -> None:
        self._flame_noise = fractal_noise(rng, beta=1.6)
        self._detail_noise = fractal_noise(rng, beta=1.1)
        self._smoke_noise = fractal_noise(rng, beta=2.2)
        self._palette = _palette()
        self._base = base
        self._max_height = max_height

    def size_at(self, t: float) -> float:
        """Fire size 0..1: quick ignition, then slower growth to full size."""
        return float(np.clip(0.25 + 0.75 * (1.0 - np.exp(-t / 5.0)), 0.0, 1.0)) if t >= 0 else 0.0

    def _dims(self, t: float, fade: float) -> tuple[float, int, int] | None:
        """(size 0..1, width, height) of the flame at ``t``, None when nothing is drawn."""
        size = self.size_at(t) * fade
        if size <= 0.01:
            return None
        height = max(int(self._max_height * size), 12)
        return size, max(int(height * 1.1), 10), height

    def flame_box(self, t: float, fade: float = 1.0) -> tuple[int, int, int, int] | None:
        """(x0, y0, x1, y1) of the flame drawn at ``t`` (not clipped to the image), None when nothing is drawn."""
        dims = self._dims(t, fade)
        if dims is None:
            return None
        _, width, height = dims
        bx, by = self._base
        return bx - width // 2, by - height, bx - width // 2 + width, by

    def draw(self, img: Image, t: float, fade: float = 1.0, smoke: bool = True) -> None:
        """Draw smoke (unless ``smoke`` is false), then the flame and its light, in place. ``fade`` 0..1 dims it all."""
        dims = self._dims(t, fade)
        if dims is None:
            return
        size, width, height = dims
        self._draw_glow(img, t, width, height, size)
        smoke_start = 1.0
        if smoke and t > smoke_start:
            self._draw_smoke(img, t, height, fade * float(np.clip((t - smoke_start) / 4.0, 0.0, 1.0)))
        self._draw_flame(img, t, width, height)

    def _sample(self, noise: Field, u: npt.NDArray[np.floating], v: npt.NDArray[np.floating]) -> Field:
        """Sample a tileable texture at texture coordinates (in texels, any range: it wraps)."""
        sampled = cv2.remap(
            noise, u.astype(np.float32), v.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP
        )
        return np.asarray(sampled, dtype=np.float32)

    def _flame_field(self, t: float, width: int, height: int) -> Field:
        ys = np.linspace(1.0, 0.0, height, dtype=np.float32)[:, None]  # 0 at the floor, 1 at the top
        xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
        x_grid = np.broadcast_to(xs, (height, width))
        y_grid = np.broadcast_to(ys, (height, width))
        # Large eddies sway the flame sideways, more at the top; they scroll upwards as hot gas rises.
        sway = self._sample(self._flame_noise, x_grid * 40.0 + 7.0 * t, y_grid * 70.0 + 95.0 * t) - 0.5
        xd = x_grid + 0.9 * sway * (y_grid + 0.15)
        # Fine turbulence tears the upper part into tongues.
        detail = self._sample(self._detail_noise, xd * 60.0 + 3.0 * t, y_grid * 120.0 + 190.0 * t)
        flicker = 0.85 + 0.3 * float(self._flame_noise[int(t * 11.0) % _TEXTURE, 17])
        half_width = 0.8 * np.power(np.clip(1.0 - y_grid / flicker, 0.0, 1.0), 0.7) + 0.02
        body = np.clip(1.0 - np.abs(xd) / half_width, 0.0, 1.0)
        heat = body * (0.55 + 0.9 * detail) - 0.55 * np.power(y_grid, 1.3) * (1.2 - detail)
        heat *= np.clip(y_grid * 12.0 + 0.4, 0.0, 1.0)  # a softer, darker base line where fuel sits
        return np.clip(heat * 1.05, 0.0, 1.0).astype(np.float32)

    def _draw_flame(self, img: Image, t: float, width: int, height: int) -> None:
        heat = self._flame_field(t, width, height)
        heat = np.asarray(cv2.GaussianBlur(heat, (0, 0), 1.0), dtype=np.float32)
        x0, y0, x1, y1 = self._clip_box(img, width, height)
        if x1 <= x0 or y1 <= y0:
            return
        bx, by = self._base
        fx0, fy0 = x0 - (bx - width // 2), y0 - (by - height)
        heat = heat[fy0 : fy0 + (y1 - y0), fx0 : fx0 + (x1 - x0)]
        colour = self._palette[(heat * 255).astype(np.uint8)]
        alpha = np.clip((heat - 0.12) / 0.25, 0.0, 1.0)[..., None]
        region = img[y0:y1, x0:x1].astype(np.float32)
        # Flames emit light: blend towards the palette colour and add a bit on top (screen-like).
        blended = region * (1.0 - alpha) + colour * alpha + 0.25 * colour * alpha
        img[y0:y1, x0:x1] = np.clip(blended, 0, 255).astype(np.uint8)

    def _draw_glow(self, img: Image, t: float, width: int, height: int, size: float) -> None:
        """Flickering orange light on the floor and wall around the fire."""
        bx, by = self._base
        radius = int(width * 1.6 + 20)
        cy = by - int(height * 0.35)
        x0, x1 = max(bx - radius, 0), min(bx + radius, img.shape[1])
        y0, y1 = max(cy - radius, 0), min(cy + radius, img.shape[0])
        if x1 <= x0 or y1 <= y0:
            return
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        dist2 = ((xx - bx) / radius) ** 2 + ((yy - cy) / (radius * 0.8)) ** 2
        flicker = 0.75 + 0.25 * float(self._detail_noise[int(t * 13.0) % _TEXTURE, 101])
        light = np.exp(-dist2 * 4.0) * 0.6 * size * flicker
        tint = np.array([0.15, 0.55, 1.0], dtype=np.float32)
        region = img[y0:y1, x0:x1].astype(np.float32)
        region += (light[..., None] * tint) * (region * 0.6 + 60.0)
        img[y0:y1, x0:x1] = np.clip(region, 0, 255).astype(np.uint8)

    def _draw_smoke(self, img: Image, t: float, flame_height: int, density: float) -> None:
        """A grey plume widening as it rises above the flame, rolling with slow large-scale noise."""
        bx, by = self._base
        top = max(by - flame_height - int(self._max_height * 1.3), 0)
        bottom = by - int(flame_height * 0.3)
        height = bottom - top
        if height < 8 or density <= 0.01:
            return
        width = int(flame_height * 2.2 + 40)
        x0, x1 = max(bx - width // 2, 0), min(bx + width // 2, img.shape[1])
        ys = np.linspace(1.0, 0.0, height, dtype=np.float32)[:, None]  # 0 just above the flame, 1 at the top
        xs = np.linspace(-1.0, 1.0, x1 - x0, dtype=np.float32)[None, :] * (width / max(x1 - x0, 1))
        x_grid = np.broadcast_to(xs, (height, x1 - x0))
        y_grid = np.broadcast_to(ys, (height, x1 - x0))
        drift = self._sample(self._smoke_noise, x_grid * 30.0 + 2.0 * t, y_grid * 40.0 + 22.0 * t) - 0.5
        xd = x_grid - 0.5 * drift - 0.15 * y_grid  # a light draught bends the plume
        rolls = 0.6 * self._sample(self._smoke_noise, xd * 70.0 + 5.0 * t, y_grid * 90.0 + 35.0 * t)
        rolls += 0.4 * self._sample(self._flame_noise, xd * 110.0 - 4.0 * t, y_grid * 140.0 + 50.0 * t)
        plume_half_width = 0.3 + 0.7 * y_grid
        body = np.clip(1.0 - np.abs(xd) / plume_half_width, 0.0, 1.0)
        # Older smoke (higher up) is thinner; the plume reaches higher as the fire grows.
        reach = np.clip(t / 10.0, 0.25, 1.0)
        fade_up = np.clip(1.0 - y_grid / reach, 0.0, 1.0) * np.clip(y_grid * 6.0, 0.0, 1.0)
        alpha = np.clip(np.sqrt(body * fade_up) * (0.5 + 1.2 * rolls) * density, 0.0, 0.9)
        alpha = cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), 2.0)[..., None]
        grey = (125.0 + 90.0 * rolls)[..., None] * np.array([1.0, 1.0, 1.03], dtype=np.float32)
        region = img[top:bottom, x0:x1].astype(np.float32)
        img[top:bottom, x0:x1] = np.clip(region * (1.0 - alpha) + grey * alpha, 0, 255).astype(np.uint8)

    def _clip_box(self, img: Image, width: int, height: int) -> tuple[int, int, int, int]:
        bx, by = self._base
        x0, y0 = bx - width // 2, by - height
        x1, y1 = x0 + width, by
        return max(x0, 0), max(y0, 0), min(x1, img.shape[1]), min(y1, img.shape[0])
