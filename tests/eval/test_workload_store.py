"""Workload from a site's store, its own test set (export manifest), and the two commands end to end (SQLite)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gwanje.api.clip_masking import ClipMasker
from gwanje.cli.main import main
from gwanje.config.store import StoreConfig
from gwanje.core.clock import FakeClock
from gwanje.core.events import Event, EventType
from gwanje.core.frame import Image
from gwanje.eval.manifest import load_manifest
from gwanje.eval.metrics import Alert, ItemResult, summarize
from gwanje.eval.report import write_report
from gwanje.eval.store_export import export_manifest
from gwanje.eval.workload import Staffing, estimate
from gwanje.eval.workload_store import from_store, review_seconds
from gwanje.store import MediaStore, Store
from tests.store.factories import make_event
from tests.support.media import moving_box_frames, write_clip

T0 = 1_700_000_000.0


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Store, MediaStore, FakeClock]]:
    clock = FakeClock(T0)
    cfg = StoreConfig(data_dir=tmp_path / "data")
    store = Store.open(cfg, clock=clock)
    yield store, MediaStore.for_config(cfg), clock
    store.close()


def _act(store: Store, clock: FakeClock, event_id: str, *steps: tuple[float, str]) -> None:
    for at, action in steps:
        clock.advance(max(0.0, T0 + at - clock.time()))
        store.add_action(event_id, action, "desk-1")


def _with_clip(media: MediaStore, camera: str, start: float, kind: EventType, **fields: object) -> Event:
    """An event with a real clip under the media root, its path stored relative to it (as the service does)."""
    event = make_event(camera, kind, start, **fields)
    path = media.clip_path(event.id, camera, start)
    write_clip(path, moving_box_frames(10), fps=10)
    event.clip_path = path.relative_to(media.root).as_posix()
    return event


def _fill(store: Store, media: MediaStore, clock: FakeClock) -> dict[str, str]:
    """Two cameras; in the 2 h from T0: a confirmed fire, a dismissed fight, an undecided smoke, and more."""
    store.upsert_camera("cam1", "Gate", "rtsp://u:p@192.0.2.1/s")
    store.upsert_camera("cam2", "Hall", "rtsp://192.0.2.2/s")
    ids: dict[str, str] = {}
    specs = [
        ("fire", "cam1", EventType.FIRE, 600.0, True),
        ("fight", "cam2", EventType.FIGHT, 1200.0, True),
        ("smoke", "cam2", EventType.SMOKE, 1800.0, True),
        ("noclip", "cam1", EventType.FIRE, 2400.0, False),
        ("line", "cam1", EventType.LINE_CROSSING, 3000.0, True),
        (
            "before",
            "cam1",
            EventType.FIRE,
            -600.0,
            True,
        ),  # still going at T0 (ends T0 + 100): not an alert of the period
    ]
    for name, cam, kind, at, clip in specs:
        end = T0 + max(at + 30, 100)
        event = (
            _with_clip(media, cam, T0 + at, kind, end_time=end)
            if clip
            else make_event(cam, kind, T0 + at, end_time=end)
        )
        store.save_event(event)
        ids[name] = event.id
    _act(store, clock, ids["fire"], (610.0, "acknowledge"), (700.0, "resolve"))  # 90 s on it
    _act(store, clock, ids["fight"], (1205.0, "acknowledge"), (1235.0, "false_alarm"))  # 30 s
    _act(store, clock, ids["noclip"], (2500.0, "resolve"))  # decided without acknowledge: no time measured
    _act(store, clock, ids["line"], (3010.0, "resolve"))
    _act(store, clock, ids["before"], (3100.0, "resolve"))
    return ids


def test_review_time_is_acknowledge_to_decision(site: tuple[Store, MediaStore, FakeClock]) -> None:
    store, media, clock = site
    ids = _fill(store, media, clock)
    assert review_seconds(store.list_actions(ids["fire"])) == pytest.approx(90.0)
    assert review_seconds(store.list_actions(ids["fight"])) == pytest.approx(30.0)
    assert review_seconds(store.list_actions(ids["noclip"])) is None
    assert review_seconds(store.list_actions(ids["smoke"])) is None


def test_store_workload_counts_dispositions_and_camera_hours(site: tuple[Store, MediaStore, FakeClock]) -> None:
    store, media, clock = site
    _fill(store, media, clock)
    inp = from_store(store, until=T0 + 7200, since=T0)
    assert inp.camera_hours == pytest.approx(4.0)  # 2 stored cameras x 2 h
    assert inp.recall is None
    w = estimate(inp, Staffing(cameras=100, review_s=600))
    assert (w["alerts"], w["false_alerts"], w["undecided_alerts"]) == (5, 1, 1)  # the one before `since` is out
    assert w["alerts_per_camera_hour"]["value"] == pytest.approx(5 / 4)
    assert w["review_seconds_per_alert"] == {"seconds": 60.0, "mean_seconds": 60.0, "source": "measured", "n": 2}
    assert w["per_camera"]["cam1"]["alerts"] == 3 and w["per_camera"]["cam2"]["false_alerts"] == 1
    assert w["recall"] is None and any("uptime" in n for n in w["notes"])
    assert from_store(store, until=T0 + 7200, since=T0, observed_cameras=10).camera_hours == pytest.approx(20.0)
    assert from_store(store, until=T0 + 7200, since=T0, camera_hours=3.5).camera_hours == 3.5
    open_start = from_store(store, until=T0 + 7200)
    assert open_start.span_h == pytest.approx(7800 / 3600)  # from the first stored event
    assert any("first stored event" in n for n in open_start.notes)
    with pytest.raises(ValueError, match="--since"):
        from_store(store, until=T0 - 10_000)


def test_export_writes_a_manifest_gwanje_eval_reads(site: tuple[Store, MediaStore, FakeClock], tmp_path: Path) -> None:
    store, media, clock = site
    ids = _fill(store, media, clock)
    masker = ClipMasker(_everyone, tmp_path / "masked")
    summary = export_manifest(
        store, media, tmp_path / "set", since=T0, until=T0 + 7200, actor="tester", mask=masker.masked
    )
    assert (summary.confirmed, summary.false_alarms) == (1, 1)
    assert sum(summary.skipped.values()) == 3  # undecided smoke, fire without clip, line crossing
    manifest = load_manifest(summary.manifest)
    assert manifest.problems == []
    by_label = {r.path.name: r.labels for r in manifest.rows}
    assert by_label == {f"{ids['fire']}.mp4": frozenset({"fire"}), f"{ids['fight']}.mp4": frozenset()}
    assert all(r.is_video and r.path.is_file() and r.start_s is None for r in manifest.rows)
    assert manifest.types == ["fire"]
    exported = store.list_audit(actor="tester", action="export")
    assert sorted(a.target for a in exported) == sorted(f"event:{ids[k]}:clip" for k in ("fire", "fight"))
    assert {a.detail for a in exported} == {"masked"} and not store.list_audit(action="unmask")
    for row in manifest.rows:  # the masked copy, never the stored clip
        event_id = row.path.stem
        stored = media.resolve(store.get_event(event_id).event.clip_path)  # type: ignore[union-attr,arg-type]
        assert stored is not None and row.path.read_bytes() != stored.read_bytes()
        assert row.path.read_bytes() == (tmp_path / "masked" / f"{event_id}.mp4").read_bytes()


def _everyone(image: Image) -> list[tuple[float, float, float, float]]:
    return [(0.0, 0.0, float(image.shape[1]), float(image.shape[0]))]


def test_an_unmasked_export_needs_a_reason_and_is_audited(
    site: tuple[Store, MediaStore, FakeClock], tmp_path: Path
) -> None:
    store, media, clock = site
    ids = _fill(store, media, clock)
    with pytest.raises(ValueError, match="reason"):
        export_manifest(store, media, tmp_path / "set", actor="tester", mask=None, unmasked_reason=" ")
    summary = export_manifest(
        store, media, tmp_path / "set", T0, T0 + 7200, "tester", mask=None, unmasked_reason="model retraining"
    )
    assert summary.rows == 2
    for row in load_manifest(summary.manifest).rows:
        stored = media.resolve(store.get_event(row.path.stem).event.clip_path)  # type: ignore[union-attr,arg-type]
        assert stored is not None and row.path.read_bytes() == stored.read_bytes()
    unmasked = store.list_audit(actor="tester", action="unmask")
    assert sorted((a.target, a.detail) for a in unmasked) == sorted(
        (f"event:{ids[k]}:clip", "model retraining") for k in ("fire", "fight")
    )

    def cannot(_clip: Path, _key: str) -> Path:
        raise ValueError("cannot decode")

    refused = export_manifest(store, media, tmp_path / "again", T0, T0 + 7200, "tester", mask=cannot)
    assert refused.rows == 0 and refused.skipped["clip could not be masked (not exported unmasked)"] == 2
    assert not (tmp_path / "again" / "clips").exists()


def test_commands_write_the_report_and_the_test_set(site: tuple[Store, MediaStore, FakeClock], tmp_path: Path) -> None:
    store, media, clock = site
    _fill(store, media, clock)
    config = tmp_path / "site.yaml"
    config.write_text(f"store:\n  data_dir: {tmp_path / 'data'}\n", encoding="utf-8")
    period = ["--since", "2023-11-14T22:13:20", "--until", str(T0 + 7200)]  # the ISO time is T0 in UTC
    out = tmp_path / "report"
    assert (
        main(
            [
                "report",
                "workload",
                "--from-store",
                "--config",
                str(config),
                *period,
                "--cameras",
                "500",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    w = json.loads((out / "workload.json").read_text())
    assert w["source"] == "store" and w["alerts"] == 5 and w["camera_hours"] == pytest.approx(4.0)
    assert w["operators_without"] == 10
    assert "data:image/png;base64," in (out / "workload.html").read_text()

    export = tmp_path / "set"
    assert main(["export", "manifest", "--from-store", "--config", str(config), *period, "--out", str(export)]) == 0
    rows = load_manifest(export / "manifest.csv").rows
    assert len(rows) == 2
    for row in rows:  # masked with the shipped person detector, through the web app's clip cache
        assert row.path.read_bytes() == (tmp_path / "data" / "masked-clips" / row.path.name).read_bytes()
    command = ["export", "manifest", "--from-store", "--config", str(config), *period, "--out", str(tmp_path / "raw")]
    assert main([*command, "--unmasked"]) == 2  # without a reason
    assert main([*command, "--reason", "why"]) == 2  # a reason without --unmasked
    assert main([*command, "--unmasked", "--reason", "retraining the fire model"]) == 0
    reopened = Store.open(StoreConfig(data_dir=tmp_path / "data"))
    try:
        assert [a.detail for a in reopened.list_audit(action="unmask")] == ["retraining the fire model"] * 2
    finally:
        reopened.close()

    missing = tmp_path / "elsewhere.yaml"
    missing.write_text(f"store:\n  data_dir: {tmp_path / 'none'}\n", encoding="utf-8")
    assert main(["export", "manifest", "--from-store", "--config", str(missing), "--out", str(export)]) == 2
    assert not (tmp_path / "none").exists()


def test_report_from_several_eval_runs(tmp_path: Path) -> None:
    from gwanje.eval.manifest import Manifest, ManifestRow

    def run(name: str, alerts: int) -> Path:
        row = ManifestRow(2, tmp_path / name / "quiet.mp4", frozenset(), None, None)
        made = [Alert("fire", 60.0 * i, 60.0 * i, None, 0.7) for i in range(alerts)]
        results = [ItemResult(row, alerts=made, predicted={"fire"} if alerts else set(), duration_s=1800.0)]
        out = tmp_path / name / "out"
        write_report(out, Manifest(tmp_path / name / "m.csv", [row], []), results, summarize(results, ["fire"]), "x")
        return out

    dirs = [str(run("a", 3)), str(run("b", 0))]
    out = tmp_path / "report"
    assert main(["report", "workload", "--from-eval", *dirs, "--cameras", "1000", "--out", str(out)]) == 0
    w = json.loads((out / "workload.json").read_text())
    assert w["camera_hours"] == pytest.approx(1.0)  # two half-hour videos
    assert w["alerts"] == 3 and w["false_alerts"] == 3 and w["enough_hours"] is False
    assert w["operators_with"]["low"] < w["operators_with"]["value"] < w["operators_with"]["high"]
    assert main(["report", "workload", "--from-eval", str(tmp_path), "--cameras", "10", "--out", str(out)]) == 2
