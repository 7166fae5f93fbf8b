"""The lying-person compositor and the label files of the person trainer (no PyTorch needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gwanje.training.person.data import IGNORE, LYING, PERSON, group_split, load_folder, read_labels, write_labels
from gwanje.training.person.prepare import Scene, compose
from gwanje.training.person.synth import Cutout, cut_out, ellipse_mask, lay_down, paste, turn


def _standing(height: int = 80, width: int = 24) -> Cutout:
    pixels = np.full((height, width, 3), 200, np.uint8)
    return Cutout(pixels, np.ones((height, width), np.float32), True)


def test_turning_a_standing_person_makes_them_lie_at_the_asked_length() -> None:
    lying = turn(_standing(), 90.0, 120.0)
    ys, xs = np.nonzero(lying.mask > 0.5)
    assert xs.max() - xs.min() + 1 == pytest.approx(120, abs=3)
    assert ys.max() - ys.min() + 1 == pytest.approx(36, abs=3)


def test_the_pasted_box_is_where_the_mask_is() -> None:
    floor = np.zeros((100, 200, 3), np.uint8)
    out, box = paste(floor, _standing(40, 10), 50, 30, match_light=False)  # type: ignore[misc]
    assert box == (50.0, 30.0, 60.0, 70.0)
    assert out[30:70, 50:60].min() == 200 and out[:, :50].max() == 0
    assert paste(floor, _standing(40, 10), 195, 30) is None


def test_lay_down_puts_the_person_on_the_floor_turned_between_60_and_100_degrees() -> None:
    rng = np.random.default_rng(0)
    floor = np.zeros((360, 640, 3), np.uint8)
    for _ in range(20):
        laid = lay_down(floor, _standing(), rng, length=100.0, floor_top=0.4)
        assert laid is not None
        _, (x1, y1, x2, y2) = laid
        assert y1 >= 0.4 * 360
        assert x2 - x1 > y2 - y1  # wider than tall: lying, not standing


def test_cut_out_uses_the_background_difference_when_it_isolates_the_person() -> None:
    background = np.full((100, 100, 3), 50, np.uint8)
    image = background.copy()
    image[20:80, 40:60] = 220
    person = cut_out(image, (30, 10, 70, 90), background)
    assert person is not None and person.subtracted
    assert person.mask[40, 15] > 0.9 and person.mask[40, 2] < 0.1
    blank = cut_out(background, (30, 10, 70, 90), background)
    assert blank is not None and not blank.subtracted  # nothing differs: the ellipse stands in
    np.testing.assert_allclose(blank.mask, ellipse_mask(80, 40))
    assert cut_out(image, (0, 0, 5, 5), background) is None


def test_covered_scene_people_become_ignore_regions() -> None:
    grid = [[x, y, x + 4, y + 4] for x in range(0, 300, 4) for y in range(0, 200, 4)]
    scene = Scene(np.zeros((200, 300, 3), np.uint8), np.asarray(grid, np.float32), np.full(len(grid), PERSON),
                  "g", "train")  # fmt: skip
    made = compose(scene, [_standing(60, 20)], np.random.default_rng(1), count=1)
    assert made is not None
    _, boxes, classes = made
    assert classes[-1] == LYING and len(boxes) == len(grid) + 1
    x1, y1, x2, y2 = boxes[-1]
    inside = (boxes[:-1, 0] >= x1) & (boxes[:-1, 2] <= x2) & (boxes[:-1, 1] >= y1) & (boxes[:-1, 3] <= y2)
    apart = (boxes[:-1, 2] <= x1) | (boxes[:-1, 0] >= x2) | (boxes[:-1, 3] <= y1) | (boxes[:-1, 1] >= y2)
    assert inside.any() and (classes[:-1][inside] == IGNORE).all()
    assert (classes[:-1][apart] == PERSON).all()


def test_labels_round_trip_and_groups_split_by_number(tmp_path: Path) -> None:
    boxes = np.asarray([[10, 20, 50, 100], [0, 0, 64, 32]], np.float32)
    write_labels(tmp_path / "a.txt", boxes, np.asarray([PERSON, LYING]), (128, 128))
    read, classes = read_labels(tmp_path / "a.txt", 128, 128)
    np.testing.assert_allclose(read, boxes, atol=1e-3)
    assert classes.tolist() == [PERSON, LYING]
    assert [group_split(g) for g in ("vid_seg03", "vid_seg04", "room_seq07", "akti-x:val")] == [
        "val", "train", "val", "val"]  # fmt: skip
    (tmp_path / "index.csv").write_text("image,label_file,group,view\nimg.jpg,a.txt,vid_seg03,eye-level\n")
    [sample] = load_folder(tmp_path, image_size=(128, 128))
    assert sample.split == "val" and sample.view == "eye-level" and len(sample.boxes) == 2
