"""Operator workload on constructed footage: intervals, short and empty footage, operators with and without Gwanje."""

from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path

import pytest

from gwanje.eval.manifest import Manifest, ManifestRow
from gwanje.eval.metrics import Alert, ItemResult, poisson_interval, summarize
from gwanje.eval.report import write_report
from gwanje.eval.results_io import RESULTS_FILE, read_results
from gwanje.eval.workload import (
    Staffing,
    WorkloadAlert,
    WorkloadInput,
    estimate,
    from_results,
    summary_lines,
)
from gwanje.eval.workload_report import write_workload


def _row(line: int, name: str, labels: str = "", start: float | None = None) -> ManifestRow:
    return ManifestRow(line, Path(name), frozenset(x for x in labels.split(";") if x), start, None)


def _results() -> list[ItemResult]:
    return [
        ItemResult(_row(2, "a.jpg", "fire"), scores={"fire": 0.9}, predicted={"fire"}),
        ItemResult(
            _row(3, "e.mp4", "fight", start=2.0),
            alerts=[Alert("fight", 3.5, 3.0, 6.0, 0.8)],
            predicted={"fight"},
            scores={"fight": 0.8},
            duration_s=10.0,
        ),
        ItemResult(_row(4, "m.mp4", "fight"), predicted=set(), duration_s=20.0),  # a missed fight
        ItemResult(
            _row(5, "f.mp4", ""),
            alerts=[Alert("fight", 100.0, 99.0, 104.0, 0.6)],
            predicted={"fight"},
            scores={"fight": 0.6},
            duration_s=3590.0,
        ),
        ItemResult(_row(6, "g.mp4", "fight"), error="not a video"),
    ]


def _footage(hours: float, alerts: int, false: int, cameras: int = 4) -> WorkloadInput:
    """``alerts`` alerts spread over ``hours`` of ``cameras`` cameras, the first ``false`` of them false."""
    made = [
        WorkloadAlert(f"cam{i % cameras}", "fire" if i % 3 else "smoke", hours * i / max(alerts, 1), i < false)
        for i in range(alerts)
    ]
    per_camera = {f"cam{i}": hours / cameras for i in range(cameras)}
    return WorkloadInput("store", "test period", hours, made, span_h=hours / cameras, hours_by_camera=per_camera)


def test_eval_results_use_the_quiet_video_and_give_an_interval() -> None:
    inp = from_results(_results(), ["fight"])
    assert inp is not None
    assert inp.camera_hours == pytest.approx(3590 / 3600)  # the unlabelled video only
    assert [a.false_alarm for a in inp.alerts] == [True]
    assert inp.recall is not None and inp.recall["fight"].recall == pytest.approx(0.5)  # 1 found, 1 missed
    w = estimate(inp, Staffing(cameras=1000, review_s=60, utilisation=0.5))
    hours = 3590 / 3600
    low, high = poisson_interval(1)
    assert w["alerts_per_camera_hour"] == pytest.approx({"value": 1 / hours, "low": low / hours, "high": high / hours})
    assert w["false_alerts_per_camera_hour"] == w["alerts_per_camera_hour"]
    # 1.003 alerts per camera-hour * 1000 cameras * 60 s = 16.7 operator-hours per hour, at 50 % -> 34
    assert w["operators_with"]["value"] == 34
    assert w["operators_with"]["low"] == 1  # 0.0254 per camera-hour -> 0.85 -> one operator at least
    assert w["operators_with"]["high"] == math.ceil(high / hours * 1000 * 60 / 3600 / 0.5)
    assert w["operators_without"] == 20
    assert w["recall"] == {"fight": 0.5}
    assert w["enough_hours"] is False


def test_without_unlabelled_video_all_videos_count_and_no_video_gives_nothing() -> None:
    incidents = [r for r in _results() if r.row.labels]
    inp = from_results(incidents, ["fight"])
    assert inp is not None and inp.camera_hours == pytest.approx(30 / 3600)
    assert inp.footage.startswith("all 2 videos")
    assert [a.false_alarm for a in inp.alerts] == [False]
    assert from_results([_results()[0]], ["fire"]) is None


def test_short_footage_states_the_interval_and_asks_for_more_hours() -> None:
    w = estimate(_footage(hours=0.5, alerts=3, false=1), Staffing())
    assert w["alerts_per_camera_hour"]["value"] == pytest.approx(6.0)
    assert not w["enough_hours"]
    text = " ".join(summary_lines(w))
    assert "More hours are needed" in text
    assert "**6 " not in text and "**6**" not in text  # no point figure in bold
    assert f"between {w['operators_with']['low']} and {w['operators_with']['high']} operator(s)" in text
    # about 66 events give a ±25 % interval: at 6 per camera-hour, some 11 camera-hours
    assert 9 < w["camera_hours_for_narrow_interval"] < 13


def test_zero_events_give_an_upper_bound_only() -> None:
    w = estimate(_footage(hours=10.0, alerts=0, false=0), Staffing())
    assert w["alerts_per_camera_hour"]["value"] == 0.0 and w["alerts_per_camera_hour"]["low"] == 0.0
    assert w["alerts_per_camera_hour"]["high"] == pytest.approx(3.689 / 10, abs=1e-3)
    assert w["camera_hours_for_narrow_interval"] is None
    assert w["operators_with"]["low"] == w["operators_with"]["value"] == 1
    assert "No alert in 10 camera-hours" in " ".join(summary_lines(w))


def test_long_footage_gives_a_point_figure_and_a_narrower_interval() -> None:
    short = estimate(_footage(hours=1.0, alerts=2, false=1), Staffing())
    long = estimate(_footage(hours=1000.0, alerts=2000, false=1000), Staffing())
    assert short["alerts_per_camera_hour"]["value"] == long["alerts_per_camera_hour"]["value"] == 2.0
    width = {
        k: w["alerts_per_camera_hour"]["high"] - w["alerts_per_camera_hour"]["low"]
        for k, w in (("s", short), ("l", long))
    }
    assert width["l"] < width["s"] / 20
    assert long["enough_hours"] and not short["enough_hours"]
    text = " ".join(summary_lines(long))
    assert "**2 **" not in text and "Alerts per camera-hour: **2**" in text
    assert "More hours" not in text
    # 2 per camera-hour * 1000 cameras * 60 s / 3600 / 0.5 = 66.7 -> 67
    assert long["operators_with"]["value"] == 67
    assert long["operators_with"]["low"] <= 67 <= long["operators_with"]["high"]
    assert long["false_alerts_per_camera_hour"]["value"] == pytest.approx(1.0)


def test_measured_review_times_replace_the_given_one() -> None:
    inp = _footage(hours=100.0, alerts=100, false=0)
    inp.alerts = [
        WorkloadAlert(a.camera, a.event_type, a.at_h, False, review_s=30.0 if i % 3 else 90.0)
        for i, a in enumerate(inp.alerts)
    ]
    inp.alerts[0] = WorkloadAlert("cam0", "fire", 0.0, None, review_s=50_000.0)  # left open overnight
    w = estimate(inp, Staffing(cameras=1000, review_s=600.0))
    review = w["review_seconds_per_alert"]
    assert review["source"] == "measured" and review["n"] == 100
    assert review["seconds"] == pytest.approx(30.0)  # the median, not pulled up by the overnight one
    assert w["undecided_alerts"] == 1
    # 1 alert per camera-hour * 1000 * 30 s / 3600 / 0.5 = 16.7 -> 17
    assert w["operators_with"]["value"] == 17
    assert estimate(_footage(100.0, 100, 0), Staffing(cameras=1000, review_s=600.0))["operators_with"]["value"] == 334


def test_staffing_assumptions_are_reported_as_such() -> None:
    w = estimate(_footage(10.0, 5, 0), Staffing(cameras=120, cameras_per_operator=16, watch_recall=0.05))
    assert w["operators_without"] == 8
    assert "given" in w["operators_without_basis"] and "assumption" in w["operators_without_basis"]
    assert "MOIS" in estimate(_footage(10.0, 5, 0), Staffing())["operators_without_basis"]
    with pytest.raises(ValueError):
        Staffing(watch_recall=1.5)
    with pytest.raises(ValueError):
        estimate(WorkloadInput("store", "nothing", 0.0, []), Staffing())


def test_workload_files_have_the_keys_and_inline_plots(tmp_path: Path) -> None:
    inp = _footage(hours=3.0, alerts=12, false=4)
    s = Staffing(cameras=200)
    w = estimate(inp, s)
    paths = write_workload(tmp_path / "out", inp, w, s, "gwanje report workload --from-store")
    assert [p.name for p in paths] == ["workload.json", "workload.html"]
    data = json.loads((tmp_path / "out" / "workload.json").read_text())
    for key in ("camera_hours", "alerts_per_camera_hour", "false_alerts_per_camera_hour"):
        assert key in data
    for key in ("alerts_per_camera_hour", "false_alerts_per_camera_hour", "operators_with"):
        assert set(data[key]) == {"value", "low", "high"}
    assert data["operators_without"] == 4 and data["per_camera"]["cam0"]["alerts"] == 3
    page = (tmp_path / "out" / "workload.html").read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 4
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert "More hours are needed" in page


def test_eval_report_writes_the_workload_and_results_that_read_back(tmp_path: Path) -> None:
    results = _results()
    metrics = summarize(results, ["fire", "fight"])
    inp = from_results(results, ["fire", "fight"])
    assert inp is not None
    metrics["workload"] = estimate(inp, Staffing())
    manifest = Manifest(tmp_path / "m.csv", [r.row for r in results], [])
    write_report(tmp_path / "out", manifest, results, metrics, "gwanje eval m.csv --out out")
    report = (tmp_path / "out" / "report.md").read_text()
    assert "## Operator workload" in report and "More hours are needed" in report
    back, types = read_results(tmp_path / "out" / RESULTS_FILE)
    assert types == ["fire", "fight"]
    again = from_results(back, types)
    assert again is not None
    assert estimate(again, Staffing()) == metrics["workload"]
    with pytest.raises(ValueError, match="not a results file"):
        read_results(tmp_path / "out" / "metrics.json")
