"""In a real browser, the dashboard's quality bar (docs/web.md, "Quality"): the main pages fit 1280×720, a 4K wall
screen and a tablet in both orientations without sideways scrolling or cut-off controls, and use a 4K screen's size;
every control that matters is reached with Tab in document order and shows a focus ring; every visible text passes
the WCAG contrast ratio; no page asks anything of another host."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from gwanje.api import ApiContext
from gwanje.core.events import EventType
from gwanje.core.health import StreamState, StreamStats
from gwanje.store import MediaStore, Store
from gwanje.web import create_web_app
from tests.api.conftest import live_jpeg, make_config, serve
from tests.e2e.conftest import PASSWORD, Site, log_in
from tests.store.factories import make_event

WEB = Path(__file__).resolve().parents[2] / "src" / "gwanje" / "web"

VIEWPORTS: dict[str, dict[str, Any]] = {
    "hd": {"viewport": {"width": 1280, "height": 720}},
    "4k": {"viewport": {"width": 3840, "height": 2160}},
    "tablet-landscape": {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "is_mobile": True},
    "tablet-portrait": {"viewport": {"width": 768, "height": 1024}, "has_touch": True, "is_mobile": True},
    "tablet-portrait in Korean": {"viewport": {"width": 768, "height": 1024}, "has_touch": True, "locale": "ko-KR"},
}


@pytest.fixture(scope="module")
def quality_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One site for the whole module: an admin, three cameras, unread alerts with snapshots, one acknowledged."""
    data = tmp_path_factory.mktemp("quality") / "data"
    config = make_config(data, mode="production")
    store = Store.open(config.store)
    media = MediaStore.for_config(config.store)
    frame = live_jpeg()
    now = time.time()
    ctx = ApiContext.create(
        config,
        store,
        media,
        camera_status=lambda: [StreamStats("gate", StreamState.LIVE), StreamStats("lobby", StreamState.OFFLINE)],
        latest_snapshot=lambda camera: frame if camera == "gate" else None,
    )
    ctx.accounts.create_user("chief", "admin", PASSWORD, actor="test", client=None)  # first: the alerts are unread
    for i, kind in enumerate((EventType.FIRE, EventType.INTRUSION, EventType.FALL, EventType.SMOKE)):
        event = make_event("gate", kind, start_time=now + i, zone="Loading bay" if i == 1 else None)
        event.snapshot_path = str(media.write_snapshot(event.id, "gate", event.start_time, frame))
        store.save_event(event)
        if i == 3:
            store.add_action(event.id, "acknowledge", "someone")
    with serve(create_web_app(ctx)) as url:
        yield Site(url, ctx, store, data)
    store.close()


def _main_pages(site: Site) -> list[str]:
    event_id = site.store.list_events(limit=1)[0].event.id
    return [
        *(f"/live?layout={n}" for n in (1, 4, 9, 16)),
        "/live/gate",
        "/events",
        f"/events/{event_id}",
        "/admin/cameras",
        "/admin/cameras/gate",
        "/admin/cameras/gate/zones",
        "/admin/users",
        "/admin/audit",
        "/admin/channels",
        "/admin/cluster",
    ]


# Layout facts of the page in the viewport: sideways overflow, every control (nav, buttons, fields, tiles) that lies
# off the screen's width, the smallest text, the page's and the wall's size.
LAYOUT_JS = """() => {
  const inside = (e) => { const r = e.getBoundingClientRect(); return r.left >= -0.5 && r.right <= innerWidth + 0.5; };
  const wall = document.getElementById("wall");
  return {
    scrollWidth: document.scrollingElement.scrollWidth, innerWidth, innerHeight,
    outside: [...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, .tile")]
      .filter((e) => e.getClientRects().length && !inside(e)).map((e) => e.outerHTML.slice(0, 80)),
    fontSize: parseFloat(getComputedStyle(document.body).fontSize),
    smallest: [...document.body.querySelectorAll("*")]
      .filter((e) => e.getClientRects().length && !e.closest(".sr-only")
        && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
      .map((e) => [parseFloat(getComputedStyle(e).fontSize), e.outerHTML.slice(0, 60)])
      .reduce((a, b) => (b[0] < a[0] ? b : a), [1e9, ""]),
    mainWidth: document.querySelector("main").getBoundingClientRect().width,
    wallWidth: wall ? wall.getBoundingClientRect().width : null,
    wallHeight: wall ? wall.getBoundingClientRect().height : null,
  };
}"""


def test_main_pages_fit_hd_4k_and_tablet_and_ask_no_other_host(quality_site: Site, browser: Browser) -> None:
    site = quality_site
    requests: list[str] = []
    for name, options in VIEWPORTS.items():
        context = browser.new_context(**{"locale": "en-US", **options})
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        for path in ["/login", *_main_pages(site)]:
            if path != "/login" and page.url.endswith("/login"):
                log_in(page, site, "chief")
                expect(page).to_have_url(re.compile(r"/events$"))
            page.goto(site.url + path)
            where = f"{path} at {name}"
            assert page.locator("html").get_attribute("lang") == options.get("locale", "en")[:2], where
            facts = page.evaluate(LAYOUT_JS)
            assert facts["scrollWidth"] <= facts["innerWidth"], f"{where}: scrolls sideways ({facts['scrollWidth']})"
            assert facts["outside"] == [], f"{where}: controls cut off: {facts['outside']}"
            least = 18 if name == "4k" else 12
            assert facts["smallest"][0] >= least, f"{where}: text too small: {facts['smallest']}"
            if name == "4k":
                assert facts["fontSize"] >= 24, f"{where}: text {facts['fontSize']}px is microscopic on a wall screen"
                assert facts["mainWidth"] >= 0.6 * facts["innerWidth"], f"{where}: a small block, not the screen"
            if name == "4k" and path.startswith("/live?"):
                # The wall fills most of the width or, when the screen's height limits it (one tile), of the height.
                fills = max(facts["wallWidth"] / facts["innerWidth"], facts["wallHeight"] / facts["innerHeight"])
                assert fills >= 0.6, f"{where}: the wall uses {fills:.0%} of the screen"
        context.close()
    foreign = [url for url in requests if not url.startswith((site.url + "/", "data:", "blob:"))]
    assert foreign == []
    assert any("/static/app.css" in url for url in requests)  # the recording saw the pages' own assets


def test_templates_and_static_files_name_no_other_host() -> None:
    links = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
    found = {
        f"{path.name}: {match}"
        for path in [*WEB.glob("templates/*.html"), *WEB.glob("static/*")]
        for match in links.findall(path.read_text(encoding="utf-8"))
    }
    assert found == set()


# Every visible text's WCAG contrast ratio against the background it is drawn on (semi-transparent layers composited).
CONTRAST_JS = """() => {
  const rgba = (s) => { const m = s.match(/[\\d.]+/g) || [0, 0, 0, 0];
    return [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1]; };
  const over = (top, below) => { const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat([1]); };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
      if (e.tagName === "IMG" || e.tagName === "VIDEO") break;
    }
    let bg = [255, 255, 255, 1];
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return bg;
  };
  const lum = (c) => { const v = c.slice(0, 3).map((x) => { x /= 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const failures = [];
  let checked = 0;
  for (const el of document.body.querySelectorAll("*")) {
    const hint = !el.value && el.placeholder;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
      || ((el.tagName === "INPUT" && el.type !== "hidden" && (el.value || hint)) || el.tagName === "SELECT");
    if (!own || el.closest(".sr-only")) continue;
    const style = getComputedStyle(el, hint ? "::placeholder" : null);
    if (style.visibility !== "visible" || !el.getClientRects().length || +style.opacity === 0) continue;
    const bg = background(el);
    const fg = over(rgba(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && +style.fontWeight >= 700);
    checked += 1;
    if (ratio < (large ? 3 : 4.5)) failures.push(
      `${el.tagName.toLowerCase()}.${el.className} "${(el.textContent || el.value || hint).trim().slice(0, 30)}": ` +
      `${ratio.toFixed(2)} (${style.color} on rgb(${bg.slice(0, 3).map(Math.round)}))`);
  }
  return {checked, failures};
}"""


def test_every_visible_text_has_readable_contrast(quality_site: Site, browser: Browser) -> None:
    site = quality_site
    context = browser.new_context(locale="en-US", reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{site.url}/login")
    report = {"/login": page.evaluate(CONTRAST_JS)}
    log_in(page, site, "chief")
    expect(page).to_have_url(re.compile(r"/events$"))
    for path in _main_pages(site):
        page.goto(site.url + path)
        report[path] = page.evaluate(CONTRAST_JS)
    context.close()
    assert all(result["checked"] > 3 for result in report.values()), report
    failures = [f"{path}: {failure}" for path, result in report.items() for failure in result["failures"]]
    assert failures == [], "\n".join(failures)


# Each element's focus look (outline and box-shadow), by its place in the document; the focused element's look, place
# and whether its look is a visible ring. A ring must be visible and differ from the element's unfocused look.
LOOKS_JS = """() => {
  const look = (el) => { const s = getComputedStyle(el); return `${s.outline} | ${s.boxShadow}`; };
  const all = [...document.querySelectorAll("*")];
  return {
    looks: Object.fromEntries(all.map((el, i) => [i, look(el)])),
    focused: (() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const transparent = (c) => /rgba\\(.*, 0\\)$/.test(c) || c === "transparent";
      const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 && !transparent(s.outlineColor))
        || s.boxShadow !== "none";
      return {index: all.indexOf(el), look: look(el), ring, tag: el.outerHTML.slice(0, 90),
              key: el.id || el.getAttribute("href") || el.getAttribute("name") || el.dataset.action || el.textContent.trim()};
    })(),
  };
}"""

# Tab from the top of the page, whatever has the focus (the login page's user name field takes it on load).
START_AT_THE_TOP = """() => { const b = document.body; b.tabIndex = -1; b.focus(); b.removeAttribute("tabindex"); }"""

MUST_REACH = {
    "/events": [
        "/live",
        "/admin/cameras",
        "/admin/audit",
        "mark-all-read",
        "camera",
        "feed-search",
        "Filter",
        "/events/",
    ],
    "event": ["/events", "note", "acknowledge", "resolve", "false-alarm"],
    "/live?layout=4": ["/live?layout=1", "/live?layout=16", "sound-toggle", "tile-gate", "tile-lobby"],
    "/admin/cameras/gate/zones": ["zone-canvas", "name", "rules", "zone-undo", "Save zone"],
    "/admin/cameras": ["camera-add", "/admin/cameras/gate", "/admin/cameras/gate/zones"],
    "/admin/users": ["username", "password", "role", "Add user", "group", "Save group"],
    "/admin/audit": ["/admin/channels", "actor", "action", "since", "until", "Filter"],
    "/admin/channels": [
        "kind",
        "name",
        "url",
        "secret",
        "event_type",
        "state",
        "camera",
        "schedule-add",
        "Save channel",
    ],
    "/login": ["username", "password", "Log in"],
}


def test_tab_reaches_every_control_in_order_with_a_focus_ring(quality_site: Site, browser: Browser) -> None:
    site = quality_site
    event_id = site.store.list_events(limit=1)[0].event.id
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    for path, wanted in MUST_REACH.items():
        if path == "/login":
            context.clear_cookies()
        elif page.url.endswith("/login") or page.url == "about:blank":
            log_in(page, site, "chief")
            expect(page).to_have_url(re.compile(r"/events$"))
        page.goto(site.url + (f"/events/{event_id}" if path == "event" else path))
        page.evaluate(START_AT_THE_TOP)
        unfocused = page.evaluate(LOOKS_JS)["looks"]
        stops: list[dict[str, Any]] = []
        for _ in range(120):
            page.keyboard.press("Tab")
            stop = page.evaluate(LOOKS_JS)["focused"]
            if stop is None or any(stop["index"] == seen["index"] for seen in stops[:-1]):
                break  # left the page (to the browser) or came round again
            if not stops or stop["index"] != stops[-1]["index"]:  # (a date field's parts are one element)
                stops.append(stop)
        keys = [stop["key"] for stop in stops]
        missed = [w for w in wanted if not any(k.startswith(w) for k in keys)]
        assert missed == [], f"{path}: Tab never reached {missed}; it went {keys}"
        order = [stop["index"] for stop in stops]
        assert order == sorted(order), f"{path}: Tab jumps about the page: {keys}"
        no_ring = [s["tag"] for s in stops if not s["ring"] or s["look"] == unfocused[str(s["index"])]]
        assert no_ring == [], f"{path}: focused without a visible focus ring: {no_ring}"
    context.close()


def test_an_operator_logs_in_opens_an_alert_and_acknowledges_it_with_the_keyboard_only(
    quality_site: Site, browser: Browser
) -> None:
    site = quality_site
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{site.url}/login")
    # autofocus lands a moment after the load event; typing before it loses the first letters
    expect(page.locator("input[name=username]")).to_be_focused()
    page.keyboard.type("chief")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/events$"))
    target = site.store.list_events(limit=1)[0].event.id
    _tab_to(page, f'a[href="/events/{target}"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site.url}/events/{target}")
    _tab_to(page, "button[data-action=acknowledge]")
    page.keyboard.press("Enter")
    expect(page.locator("#event-status")).to_have_text("Acknowledged")
    context.close()


def _tab_to(page: Page, selector: str) -> None:
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")
