from __future__ import annotations

import json
from pathlib import Path

import pytest

from gwanje.eval.manifest import Manifest, ManifestRow
from gwanje.eval.metrics import Alert, ItemResult, confusion, pr_curve, summarize
from gwanje.eval.report import write_report


def _row(line: int, name: str, labels: str = "", start: float | None = None) -> ManifestRow:
    return ManifestRow(line, Path(name), frozenset(x for x in labels.split(";") if x), start, None)


def _cases() -> list[ItemResult]:
    return [
        # images: fire TP, fire FN, fire FP, TN
        ItemResult(_row(2, "a.jpg", "fire"), scores={"fire": 0.9}, predicted={"fire"}),
        ItemResult(_row(3, "b.jpg", "fire"), scores={"fire": 0.3}, predicted=set()),
        ItemResult(_row(4, "c.jpg", ""), scores={"fire": 0.7}, predicted={"fire"}),
        ItemResult(_row(5, "d.jpg", ""), scores={"fire": 0.1}, predicted=set()),
        # videos: fight alerted 1.5 s after the labelled onset at 2 s; a clean hour-long video with one false fight
        ItemResult(
            _row(6, "e.mp4", "fight", start=2.0),
            alerts=[Alert("fight", 3.5, 3.0, 6.0, 0.8)],
            predicted={"fight"},
            scores={"fight": 0.8},
            duration_s=10.0,
        ),
        ItemResult(
            _row(7, "f.mp4", ""),
            alerts=[Alert("fight", 100.0, 99.0, 104.0, 0.6)],
            predicted={"fight"},
            scores={"fight": 0.6},
            duration_s=3590.0,
        ),
        ItemResult(_row(8, "g.mp4", "fight"), error="not a video"),
    ]


def test_confusion_counts_and_f1_on_known_cases() -> None:
    m = confusion(_cases(), "fire")
    assert (m.tp, m.fp, m.fn, m.tn) == (1, 1, 1, 3)
    assert m.precision == pytest.approx(0.5) and m.recall == pytest.approx(0.5) and m.f1 == pytest.approx(0.5)
    f = confusion(_cases(), "fight")  # the failed row is not counted
    assert (f.tp, f.fp, f.fn, f.tn) == (1, 1, 0, 4)


def test_summary_time_to_alert_and_false_alerts_per_hour() -> None:
    s = summarize(_cases(), ["fire", "fight"])
    assert s["per_type"]["fight"]["time_to_alert_s"]["median"] == pytest.approx(1.5)
    fa = s["false_alerts_per_hour"]
    assert fa["hours_of_unlabelled_video"] == pytest.approx(3590 / 3600, abs=1e-4)
    assert fa["per_type_per_hour"]["fight"] == pytest.approx(3600 / 3590)
    assert s["items"] == {"scored": 6, "images": 4, "videos": 2, "failed": 1}
    assert s["per_type"]["fire"]["kisa_pass"] is False


def test_pr_curve_average_precision() -> None:
    precision, recall, ap = pr_curve(_cases(), "fire")
    assert precision[0] == pytest.approx(1.0)
    # ranked scores 0.9 (pos), 0.7 (neg), 0.3 (pos), 0.1 (neg), 0, 0 -> AP = (1 + 2/3) / 2
    assert ap == pytest.approx((1 + 2 / 3) / 2)
    assert recall[-1] == pytest.approx(1.0)


def test_report_files(tmp_path: Path) -> None:
    results = _cases()
    metrics = summarize(results, ["fire", "fight"])
    manifest = Manifest(tmp_path / "m.csv", [r.row for r in results], [])
    write_report(tmp_path / "out", manifest, results, metrics, "gwanje eval m.csv --out out")
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["per_type"]["fire"]["tp"] == 1
    report = (tmp_path / "out" / "report.md").read_text()
    assert "| fire | 1 | 1 | 1 | 3 |" in report and "fail" in report
    for png in ("pr_curve.png", "confusion.png"):
        assert (tmp_path / "out" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_average_precision_does_not_depend_on_manifest_order() -> None:
    # a missed fire image scores 0 like the two clean images: at 0 two of four are fire (P 1/2, R 1)
    rows = [
        ItemResult(_row(2, "a.jpg", "fire"), scores={"fire": 0.8}, predicted={"fire"}),
        ItemResult(_row(3, "b.jpg", "fire")),
        ItemResult(_row(4, "c.jpg", "")),
        ItemResult(_row(5, "d.jpg", "")),
    ]
    expected = 0.5 * 1.0 + 0.5 * 0.5
    assert pr_curve(rows, "fire")[2] == pytest.approx(expected)
    assert pr_curve(rows[::-1], "fire")[2] == pytest.approx(expected)
    assert pr_curve(rows, "smoke") == ([], [], 0.0)
