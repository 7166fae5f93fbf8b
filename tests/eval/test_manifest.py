from __future__ import annotations

from pathlib import Path

import pytest

from gwanje.eval.manifest import load_manifest


def _touch(p: Path) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(b"x")


def test_good_and_bad_rows_are_separated_with_line_numbers(tmp_path: Path) -> None:
    for name in ("a.jpg", "v/b.mp4", "c.png", "d.mp4"):
        _touch(tmp_path / name)
    (tmp_path / "m.csv").write_text(
        "path,labels,start_s,end_s\n"
        "a.jpg,fire;smoke,,\n"  # line 2 ok
        "v/b.mp4,fight,1.5,3\n"  # line 3 ok
        "missing.jpg,fire,,\n"  # line 4: no file
        "c.png,explosion,,\n"  # line 5: unknown label
        "d.mp4,fire,5,2\n"  # line 6: end before start
        "c.png,fire,1,2\n"  # line 7: interval on an image
        "d.mp4,,,\n"  # line 8 ok: a video with nothing in it
        "notes.txt,,,\n"  # line 9: not media
        "d.mp4,fall,x,\n"  # line 10: not a number
    )
    m = load_manifest(tmp_path / "m.csv")
    assert [r.line for r in m.rows] == [2, 3, 8]
    assert m.rows[1].labels == frozenset({"fight"}) and m.rows[1].start_s == 1.5 and m.rows[1].is_video
    problems = {p.line: p.message for p in m.problems}
    assert set(problems) == {4, 5, 6, 7, 9, 10}
    assert "file not found" in problems[4]
    assert "unknown label(s) explosion" in problems[5] and "allowed: fire" in problems[5]
    assert "before start_s" in problems[6]
    assert "videos only" in problems[7]
    assert "not an image or video" in problems[9]
    assert "must be a number" in problems[10]
    assert m.types == ["fire", "smoke", "fight"]


def test_header_must_name_the_columns(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("file,label\na.jpg,fire\n")
    with pytest.raises(ValueError, match="missing: path, labels"):
        load_manifest(tmp_path / "m.csv")
