"""In a real browser: an admin draws a tripwire with the mouse on a camera's frame, chooses its direction, saves it
(the camera's line_crossing rule, stored and audited), sees it listed in English and Korean, and deletes it."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from gwanje.config.managed import OVERRIDES_FILE
from tests.e2e.conftest import PASSWORD, Site, log_in


def test_an_admin_draws_a_tripwire_with_a_direction(site: Site, page: Page) -> None:
    site.ctx.accounts.create_user("adam", "admin", PASSWORD, actor="test", client=None)
    log_in(page, site, "adam", next_path="%2Fadmin%2Fcameras%2Fgate%2Fzones")
    expect(page.locator("#zone-frame")).to_have_js_property("naturalWidth", 128)
    expect(page.locator("#line-list")).to_contain_text("No tripwires yet.")
    page.check("#draw-mode input[value=line]")
    expect(page.locator("#zone-form")).to_be_hidden()
    canvas = page.locator("#zone-canvas")
    box = canvas.bounding_box()
    assert box is not None
    page.fill("#line-form input[name=name]", "doorway")
    canvas.click(position={"x": 0.2 * box["width"], "y": 0.5 * box["height"]})
    page.click("#line-form button[type=submit]")
    expect(page.locator("#line-message")).to_have_text("Click both ends of the tripwire first.")
    canvas.click(position={"x": 0.8 * box["width"], "y": 0.5 * box["height"]})
    expect(page.locator("#line-points")).to_have_text("2 of 2 ends")
    page.select_option("#line-form select[name=direction]", "b_to_a")
    # the arrow shows the crossing that counts: b_to_a of a left-to-right line points up, from below it to above it
    heads = canvas.evaluate(
        """c => { const g = c.getContext('2d'); const h = c.height / 2, w = c.width / 2;
            const red = (x, y) => { const d = g.getImageData(Math.round(x), Math.round(y), 1, 1).data;
                                    return d[0] > 200 && d[1] < 120; };
            return [red(w, h - 30), red(w, h + 30), red(w + 5, h - 31), red(w + 5, h + 31)]; }"""
    )
    assert heads == [True, True, True, False]  # a shaft across the line, its head above it
    page.click("#line-form button[type=submit]")
    expect(page.locator("#line-message")).to_have_text("Tripwire doorway saved: the camera watches it now.")
    expect(page.locator("#line-list li[data-line=doorway]")).to_contain_text("from the right of A→B to its left")

    stored = json.loads((site.data_dir / OVERRIDES_FILE).read_text())["cameras"]["gate"]["rules"]
    assert [(r["type"], r["name"], r["direction"]) for r in stored] == [("line_crossing", "doorway", "b_to_a")]
    (a, b) = stored[0]["line"]
    assert abs(a[0] - 0.2) < 0.02 and abs(b[0] - 0.8) < 0.02 and abs(a[1] - 0.5) < 0.02 and abs(b[1] - 0.5) < 0.02
    assert [a.actor for a in site.store.list_audit() if a.action == "line_save"] == ["adam"]

    page.goto(f"{site.url}/admin/cameras/gate/zones?lang=ko")
    expect(page.locator("#line-list li[data-line=doorway]")).to_contain_text("A→B 기준 오른쪽에서 왼쪽으로")
    page.click("#line-list li[data-line=doorway] button")
    expect(page.locator("#line-message")).to_have_text("감시선 doorway을(를) 삭제했습니다.")
    expect(page.locator("#line-list")).to_contain_text("아직 감시선이 없습니다.")
    camera = site.ctx.camera("gate")
    assert camera is not None and camera.rules == []
