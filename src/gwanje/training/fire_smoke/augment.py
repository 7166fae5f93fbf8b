"""Augmentation and synthetic hard negatives for fire/smoke training (numpy and OpenCV only).

Images and their box masks are transformed together so that the per-cell targets follow the
crop, scale and flip. Photometric changes imitate CCTV (blur and motion blur, sensor noise, JPEG
blocks down to quality 10, exposure, low light, lens glare) but keep hue shifts small: a hue
rotation would turn a flame into something that is not fire. Greyscale is not a photometric change
here: a grey copy loses the flame colour, so it is made a fire negative (``train.to_grey_negative``).

The synthetic negatives are the things that fool colour-based fire detectors on real cameras:
red/orange static objects with hard edges, bright lamps with a glow, and a uniform fog/haze veil
(which is not smoke: smoke is a local, structured plume). They are pasted into frames without
changing the targets of the cells they cover.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.ingest.demo_fire import FireRenderer

Image = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.uint8]


def random_resized_crop(
    image: Image, mask: Mask, size: int, rng: np.random.Generator, min_area: float = 0.45
) -> tuple[Image, Mask]:
    """Crop a random part (area ``min_area``..1, aspect 3:4..4:3) and resize it to size x size."""
    h, w = image.shape[:2]
    area = rng.uniform(min_area, 1.0)
    aspect = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3)))
    cw = int(min(w, round(w * np.sqrt(area * aspect))))
    ch = int(min(h, round(h * np.sqrt(area / aspect))))
    x = int(rng.integers(0, w - cw + 1))
    y = int(rng.integers(0, h - ch + 1))
    crop = cv2.resize(image[y : y + ch, x : x + cw], (size, size), interpolation=cv2.INTER_AREA)
    mask_crop = cv2.resize(mask[y : y + ch, x : x + cw], (size, size), interpolation=cv2.INTER_NEAREST)
    return np.asarray(crop, np.uint8), np.asarray(mask_crop, np.uint8).reshape(size, size, -1)


def photometric(image: Image, rng: np.random.Generator) -> Image:
    """Exposure, contrast, saturation, small hue shift, blur, noise and JPEG artefacts."""
    values = image.astype(np.float32)
    if rng.random() < 0.8:
        values = values * rng.uniform(0.6, 1.4) + rng.uniform(-25, 25)
        mean = values.mean()
        values = (values - mean) * rng.uniform(0.7, 1.3) + mean
    out: Image = np.clip(values, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        hsv = cv2.cvtColor(out, cv2.COLOR_BGR2HSV).astype(np.int16)
        hsv[..., 0] = (hsv[..., 0] + int(rng.integers(-4, 5))) % 180
        hsv[..., 1] = np.clip(hsv[..., 1] * rng.uniform(0.6, 1.3), 0, 255)
        out = np.asarray(cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2BGR), np.uint8)
    if rng.random() < 0.15:
        out = low_light(out, rng)
    if rng.random() < 0.1:
        out = glare(out, rng)
    if rng.random() < 0.3:
        k = int(rng.choice([3, 5]))
        out = np.asarray(cv2.GaussianBlur(out, (k, k), 0), np.uint8)
    elif rng.random() < 0.15:
        out = motion_blur(out, rng)
    if rng.random() < 0.3:
        noise = _unit_noise(out.shape, rng) * np.float32(rng.uniform(2, 10))
        out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        quality = int(rng.integers(10, 40)) if rng.random() < 0.3 else int(rng.integers(40, 85))
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            out = np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), np.uint8)
    return out


def low_light(image: Image, rng: np.random.Generator) -> Image:
    """Night or a dark room: a gamma curve darkens the scene, a flame (self-luminous, bright) stays bright."""
    gamma = rng.uniform(1.6, 3.0)
    table = np.asarray(np.clip(255.0 * (np.arange(256) / 255.0) ** gamma, 0, 255), np.uint8)
    return np.asarray(cv2.LUT(image, table), np.uint8)


def glare(image: Image, rng: np.random.Generator) -> Image:
    """Lens glare: a large, soft, washed-out bright veil from a light outside or inside the frame."""
    h, w = image.shape[:2]
    cx, cy = rng.uniform(-0.2, 1.2) * w, rng.uniform(-0.2, 1.2) * h
    radius = rng.uniform(0.3, 0.8) * max(h, w)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    alpha = np.clip(1.0 - np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / radius, 0, 1)[..., None] * rng.uniform(0.3, 0.7)
    out = image.astype(np.float32) * (1 - alpha) + np.float32(rng.uniform(200, 255)) * alpha
    return np.asarray(np.clip(out, 0, 255), np.uint8)


def motion_blur(image: Image, rng: np.random.Generator) -> Image:
    """A short straight blur (camera shake, slow shutter at night)."""
    k = int(rng.choice([5, 7, 9]))
    kernel = np.zeros((k, k), np.float32)
    kernel[k // 2, :] = 1.0 / k
    rotation = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
    rotated = np.asarray(cv2.warpAffine(kernel, rotation, (k, k)), np.float32)
    rotated /= max(float(rotated.sum()), 1e-6)
    return np.asarray(cv2.filter2D(image, -1, rotated), np.uint8)


_NOISE_BANK: dict[tuple[int, ...], npt.NDArray[np.float32]] = {}


def _unit_noise(shape: tuple[int, ...], rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """Gaussian sensor noise of ``shape``: a random roll of a fixed field (drawing fresh noise per image is slow)."""
    if shape not in _NOISE_BANK:
        _NOISE_BANK[shape] = np.random.default_rng(0).standard_normal((shape[0] * 2, *shape[1:]), dtype=np.float32)
    start = int(rng.integers(0, shape[0]))
    return np.roll(_NOISE_BANK[shape][start : start + shape[0]], int(rng.integers(0, shape[1])), axis=1)


def paste_static_object(image: Image, rng: np.random.Generator) -> Image:
    """A red/orange/yellow object with hard edges (sign, jacket, cone, car): fire-coloured, not fire."""
    out = image.copy()
    h, w = out.shape[:2]
    sw, sh = int(rng.uniform(0.08, 0.35) * w), int(rng.uniform(0.08, 0.35) * h)
    x, y = int(rng.integers(0, w - sw)), int(rng.integers(0, h - sh))
    hue = int(rng.integers(0, 30))
    hsv = np.array([[[hue, rng.integers(150, 256), rng.integers(150, 256)]]], np.uint8)
    colour = np.asarray(cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR), np.uint8)
    bgr = tuple(int(c) for c in colour[0, 0])
    if rng.random() < 0.5:
        cv2.rectangle(out, (x, y), (x + sw, y + sh), bgr, thickness=-1)
    else:
        cv2.ellipse(out, (x + sw // 2, y + sh // 2), (sw // 2, sh // 2), float(rng.uniform(0, 180)), 0, 360, bgr, -1)
    return out


def paste_lamp(image: Image, rng: np.random.Generator) -> Image:
    """A bright, warm or white light source with a soft glow (street lamp, ceiling light, headlight)."""
    h, w = image.shape[:2]
    cx, cy = rng.uniform(0.05, 0.95) * w, rng.uniform(0.05, 0.7) * h
    radius = rng.uniform(0.02, 0.08) * min(h, w)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / radius
    glow = np.clip(1.6 / (1.0 + dist**2), 0, 1)[..., None]
    warm = rng.random() < 0.6
    colour = np.array([120, 210, 255] if warm else [250, 250, 250], np.float32)
    out = image.astype(np.float32) * (1 - glow) + colour * glow
    return np.asarray(np.clip(out, 0, 255), np.uint8)


def add_haze(image: Image, rng: np.random.Generator) -> Image:
    """A uniform fog veil over the whole frame (weather, dirty lens, low contrast), with a mild gradient."""
    h = image.shape[0]
    strength = rng.uniform(0.25, 0.6)
    gradient = np.linspace(1.0, rng.uniform(0.6, 1.0), h, dtype=np.float32)[:, None, None]
    alpha = strength * gradient
    veil = np.float32(rng.uniform(170, 235))
    out = image.astype(np.float32) * (1 - alpha) + veil * alpha
    return np.asarray(np.clip(out, 0, 255), np.uint8)


def hard_negative(image: Image, rng: np.random.Generator) -> Image:
    """Apply one or two of the synthetic confusers."""
    out = image
    for _ in range(int(rng.integers(1, 3))):
        choice = rng.random()
        if choice < 0.45:
            out = paste_static_object(out, rng)
        elif choice < 0.8:
            out = paste_lamp(out, rng)
        else:
            out = add_haze(out, rng)
    return out


def cell_targets(mask: Mask, grid: int, positive_cover: float = 0.3) -> npt.NDArray[np.float32]:
    """2 x grid x grid targets from H x W x 2 masks: 1 covered >= ``positive_cover``, 0 untouched, -1 ignore.

    Partly covered cells are ignored because the boxes are coarse; the image-level (max over cells)
    loss still asks for at least one positive cell.
    """
    cover = cv2.resize(mask.astype(np.float32), (grid, grid), interpolation=cv2.INTER_AREA)
    cover = cover.reshape(grid, grid, -1).transpose(2, 0, 1)
    targets = np.full(cover.shape, -1.0, np.float32)
    targets[cover >= positive_cover] = 1.0
    targets[cover <= 0.0] = 0.0
    return targets


def augment(
    image: Image, mask: Mask, size: int, rng: np.random.Generator, negative_rate: float = 0.25
) -> tuple[Image, Mask]:
    """Geometric + photometric augmentation, and sometimes a synthetic confuser."""
    crop, crop_mask = random_resized_crop(image, mask, size, rng)
    if rng.random() < 0.5:
        crop, crop_mask = crop[:, ::-1], crop_mask[:, ::-1]
    crop = np.ascontiguousarray(crop)
    if rng.random() < negative_rate:
        crop = hard_negative(crop, rng)
    return photometric(crop, rng), np.ascontiguousarray(crop_mask)


@dataclass(frozen=True)
class Patch:
    """A fire or smoke box cut out of a training image, to paste into other scenes."""

    image: Image
    channel: int
    group: str


def cut_patches(
    image: Image, boxes: npt.NDArray[np.float32] | None, group: str, min_px: int = 12, max_area: float = 0.4
) -> list[Patch]:
    """The boxes of ``image`` that are neither tiny nor most of the frame (those carry the whole scene)."""
    if boxes is None:
        return []
    h, w = image.shape[:2]
    patches = []
    for cls, cx, cy, bw, bh in boxes:
        if bw * bh > max_area:
            continue
        x1, y1 = max(round(float(cx - bw / 2) * w), 0), max(round(float(cy - bh / 2) * h), 0)
        x2, y2 = min(round(float(cx + bw / 2) * w), w), min(round(float(cy + bh / 2) * h), h)
        if x2 - x1 >= min_px and y2 - y1 >= min_px:
            patches.append(Patch(image[y1:y2, x1:x2].copy(), int(cls), group))
    return patches


def paste_patch(image: Image, mask: Mask, patch: Patch, rng: np.random.Generator) -> tuple[Image, Mask]:
    """Blend ``patch`` at a random place and scale with feathered edges, and mark it in the mask.

    Copy-paste decouples fire/smoke from the few scenes they were filmed in, so the head learns the
    thing rather than the room. Feathering avoids a rectangle edge the model could learn instead.
    """
    h, w = image.shape[:2]
    ph, pw = patch.image.shape[:2]
    scale = min(rng.uniform(0.5, 1.5), 0.8 * w / pw, 0.8 * h / ph)
    pw, ph = max(int(pw * scale), 4), max(int(ph * scale), 4)
    piece = cv2.resize(patch.image, (pw, ph), interpolation=cv2.INTER_AREA).astype(np.float32)
    x, y = int(rng.integers(0, w - pw + 1)), int(rng.integers(0, h - ph + 1))
    hard = np.zeros((ph, pw), np.float32)
    border = max(2, min(pw, ph) // 6)
    hard[border:-border, border:-border] = 1.0
    alpha = np.asarray(cv2.GaussianBlur(hard, (0, 0), border / 2 + 0.5), np.float32)[..., None]
    out = image.copy()
    region = out[y : y + ph, x : x + pw].astype(np.float32)
    out[y : y + ph, x : x + pw] = np.clip(region * (1 - alpha) + piece * alpha, 0, 255).astype(np.uint8)
    out_mask = mask.copy()
    out_mask[y : y + ph, x : x + pw, patch.channel] |= (alpha[..., 0] > 0.5).astype(np.uint8)
    return out, out_mask


def paste_synthetic_flame(image: Image, mask: Mask, rng: np.random.Generator) -> tuple[Image, Mask]:
    """A procedural flame (the demo scene's renderer, without its smoke) at a random place, size and age.

    Real CCTV fires are few (≈40 scenes); procedural flames add shapes, sizes and backgrounds the data
    lacks. The flame's rectangle is marked as fire in the mask, as the dataset's coarse boxes are.
    """
    h, w = image.shape[:2]
    max_height = int(rng.uniform(0.12, 0.5) * h)
    base = (int(rng.uniform(0.1, 0.9) * w), int(rng.uniform(0.35, 0.98) * h))
    renderer = FireRenderer(rng, base=base, max_height=max_height)
    t = float(rng.uniform(0.0, 30.0))
    out = image.copy()
    renderer.draw(out, t, smoke=False)
    out_mask = mask.copy()
    box = renderer.flame_box(t)
    if box is not None:
        x0, y0, x1, y1 = box
        out_mask[max(y0, 0) : min(y1, h), max(x0, 0) : min(x1, w), 0] = 1
    return out, out_mask
