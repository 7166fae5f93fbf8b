import cv2
import numpy as np

from gwanje.core.image import shrink


def _scene(height: int, width: int) -> np.ndarray:
    """Smooth gradients with a few hard edges: what a camera frame looks like to an area average."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.stack([(x * 255 // width), (y * 255 // height), ((x + y) % 256)], axis=-1).astype(np.uint8)
    cv2.rectangle(image, (width // 3, height // 3), (width // 2, height // 2), (0, 0, 255), -1)
    return image


def test_an_exact_halving_equals_one_area_average() -> None:
    image = _scene(720, 1280)
    direct = cv2.resize(image, (640, 360), interpolation=cv2.INTER_AREA)
    assert np.array_equal(shrink(image, (640, 360)), direct)


def test_a_ratio_that_is_not_whole_stays_within_a_grey_level_of_the_direct_average() -> None:
    image = _scene(720, 1280)
    direct = cv2.resize(image, (192, 108), interpolation=cv2.INTER_AREA).astype(np.int16)
    small = shrink(image, (192, 108))
    assert small.shape == (108, 192, 3) and small.dtype == np.uint8
    assert np.abs(small.astype(np.int16) - direct).mean() < 1.0


def test_grey_images_and_images_already_at_size() -> None:
    grey = cv2.cvtColor(_scene(360, 640), cv2.COLOR_BGR2GRAY)
    assert shrink(grey, (160, 90)).shape == (90, 160)
    assert shrink(grey, (640, 360)) is grey


def test_an_image_smaller_than_asked_is_stretched_to_the_size() -> None:
    assert shrink(_scene(50, 80), (160, 100)).shape == (100, 160, 3)
