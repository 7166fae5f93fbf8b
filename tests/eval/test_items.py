"""items.csv (one row per manifest row) and the report's false alarms and misses with thumbnails."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np

from gwanje.eval.items import item_columns
from gwanje.eval.manifest import load_manifest
from gwanje.eval.metrics import Alert, summarize
from gwanje.eval.report import write_report
from gwanje.eval.runner import run
from tests.support.media import moving_box_frames, write_clip

TYPES = ["fire", "smoke", "fight"]


def _manifest(tmp_path: Path) -> Path:
    (tmp_path / "media").mkdir()
    for name, value in (("fire.jpg", 200), ("plain.jpg", 90)):
        cv2.imwrite(str(tmp_path / "media" / name), np.full((60, 80, 3), value, np.uint8))
    write_clip(tmp_path / "media" / "walk.mp4", moving_box_frames(50), fps=10)
    write_clip(tmp_path / "media" / "quiet.mp4", moving_box_frames(40), fps=10)
    (tmp_path / "media" / "broken.mp4").write_bytes(b"not a video")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,labels,start_s,end_s\n"
        "media/fire.jpg,fire,,\n"  # missed
        "media/plain.jpg,,,\n"  # false fire
        "media/walk.mp4,fight,1,4\n"  # fight found at 2.5 s, smoke false alarm at 3.0 s
        "media/quiet.mp4,,,\n"  # nothing, nothing found
        "media/broken.mp4,,,\n",  # not readable: failed to process
        encoding="utf-8",
    )
    return manifest


def _predict_image(path: Path) -> tuple[dict[str, float], set[str]]:
    if path.name == "plain.jpg":
        return {"fire": 0.8, "smoke": 0.1}, {"fire"}
    return {"fire": 0.3}, set()


def _predict_video(path: Path) -> tuple[list[Alert], float]:
    if path.name == "broken.mp4":
        raise ValueError("not a video")
    if path.name == "walk.mp4":
        return [Alert("smoke", 3.0, 2.8, 4.0, 0.6), Alert("fight", 2.5, 2.0, 4.5, 0.9)], 5.0
    return [], 4.0


def test_items_csv_has_one_row_per_manifest_row_and_the_report_shows_mistakes(tmp_path: Path) -> None:
    manifest = load_manifest(_manifest(tmp_path))
    results = run(manifest, TYPES, _predict_image, _predict_video, progress=False)
    out = tmp_path / "out"
    write_report(out, manifest, results, summarize(results, TYPES), "gwanje eval manifest.csv --out out")

    with (out / "items.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == item_columns(TYPES)
        rows = list(reader)
    assert reader.fieldnames == [
        "path", "labels", "predicted", "score_fire", "score_smoke", "score_fight", "first_alert_s"
    ]  # fmt: skip
    assert [r["path"] for r in rows] == [
        "media/fire.jpg", "media/plain.jpg", "media/walk.mp4", "media/quiet.mp4", "media/broken.mp4"
    ]  # fmt: skip
    fire_img, plain, walk, quiet, broken = rows
    assert (fire_img["labels"], fire_img["predicted"], fire_img["score_fire"]) == ("fire", "", "0.3000")
    assert (plain["labels"], plain["predicted"], plain["score_fire"], plain["score_smoke"]) == (
        "",
        "fire",
        "0.8000",
        "0.1000",
    )
    assert fire_img["first_alert_s"] == plain["first_alert_s"] == ""  # images have no alert time
    assert (walk["predicted"], walk["score_fight"], walk["score_smoke"]) == ("smoke;fight", "0.9000", "0.6000")
    assert walk["first_alert_s"] == "2.500"
    assert (quiet["predicted"], quiet["score_fight"], quiet["first_alert_s"]) == ("", "0.0000", "")
    assert (broken["predicted"], broken["score_fire"]) == ("", "")

    report = (out / "report.md").read_text(encoding="utf-8")
    assert "### fire: 1 false alarms" in report and "### fire: 1 misses" in report
    assert "### smoke: 1 false alarms" in report
    assert "| smoke;fight | 0.600 | 3.0 |" in report  # the smoke false alarm's own first alert, not the fight's
    assert "fight: " not in report.split("## False alarms and misses")[1]  # the fight was found, none false
    thumbs = sorted(p.name for p in (out / "thumbs").iterdir())
    assert thumbs == ["line000002.jpg", "line000003.jpg", "line000004.jpg"]
    for name in thumbs:
        assert f"(thumbs/{name})" in report
        image = cv2.imread(str(out / "thumbs" / name))
        assert image is not None and image.shape[1] == 240
    # the video's thumbnail is its frame at the first alert (2.5 s): the box has slid right of the middle
    walk_thumb = cv2.imread(str(out / "thumbs" / "line000004.jpg"), cv2.IMREAD_GRAYSCALE)
    assert walk_thumb is not None
    columns = np.nonzero(walk_thumb.max(axis=0) > 200)[0]
    assert columns.size and 0.35 < columns.mean() / walk_thumb.shape[1] < 0.75
