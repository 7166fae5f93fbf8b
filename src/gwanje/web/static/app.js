// Gwanje web app: the alert feed and the live wall follow the live stream, and the pages' buttons call the API.
// No framework and no CDN; the session cookie authenticates, the CSRF token comes from the page's <meta>.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// Replace only the rows that changed, so unchanged thumbnails are not fetched (and audited) again.
async function refreshFeed(feed) {
  const response = await fetch(feed.dataset.rows + window.location.search, { credentials: "same-origin" });
  if (!response.ok) return;
  showUnread(Number(response.headers.get("X-Unread") || 0));
  const selected = feed.querySelector("tr.selected");
  const holder = document.createElement("tbody");
  holder.innerHTML = await response.text();
  const old = new Map([...feed.querySelectorAll("tr[data-key]")].map((row) => [row.id, row]));
  const rows = [...holder.children].map((row) => {
    const previous = old.get(row.id);
    if (previous && previous.dataset.key === row.dataset.key) return previous;
    if (!previous && row.dataset.key) row.classList.add("fresh");
    return row;
  });
  feed.replaceChildren(...rows);
  if (selected) select(feed, document.getElementById(selected.id));
}

// Unread: alerts this user has not opened yet, in the heading's badge and the tab's title ("(3) Alert feed").
function showUnread(count) {
  const badge = document.getElementById("unread");
  if (!badge) return;
  badge.dataset.count = String(count);
  badge.textContent = badge.dataset.label.replace("{count}", count);
  badge.hidden = count === 0;
  document.title = (count ? `(${count}) ` : "") + document.title.replace(/^\(\d+\) /, "");
}

async function markAllRead(button, feed) {
  const response = await fetch(button.dataset.url, {
    method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() },
  });
  if (response.ok) refreshFeed(feed);  // the rows lose their mark, the count follows
}

// Fire, fight and fall alerts flash the screen and, unless the user turned it off (remembered in this browser),
// sound a short alarm made with Web Audio (no sound file to load).
const ALARM_TYPES = new Set(["fire", "fight", "fall"]);
const SOUND_KEY = "gwanje.sound";
let audio = null;

function soundOn() { return window.localStorage.getItem(SOUND_KEY) !== "off"; }

function showSound(button) {
  button.textContent = soundOn() ? button.dataset.on : button.dataset.off;
  button.setAttribute("aria-pressed", String(soundOn()));
}

function toggleSound() {
  window.localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
  const button = document.getElementById("sound-toggle");
  if (button) showSound(button);
}

function count(name) { document.body.dataset[name] = String(Number(document.body.dataset[name] || 0) + 1); }

async function alarm() {
  document.body.classList.add("alarm");
  setTimeout(() => document.body.classList.remove("alarm"), 3000);
  count("alarms");
  if (!soundOn()) return;
  audio = audio || new AudioContext();
  await audio.resume();  // browsers allow sound once the user has interacted with the page
  for (let i = 0; i < 3; i++) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = i % 2 ? 660 : 880;
    gain.gain.value = 0.2;
    tone.connect(gain).connect(audio.destination);
    tone.start(audio.currentTime + i * 0.25);
    tone.stop(audio.currentTime + i * 0.25 + 0.2);
  }
  count("sounds");
}

function alarmOn(stream) {
  stream.addEventListener("event", (message) => {
    const event = JSON.parse(message.data).event;
    if (event && event.state === "start" && ALARM_TYPES.has(event.type)) alarm();
  });
}

// Keyboard: j/k (or the arrows) move through the feed, Enter or o opens the selected alert, / goes to the search;
// on an alert, a/r/f acknowledge, resolve or mark a false alarm, n goes to the note, u or Escape back to the feed;
// m turns the alarm sound on or off. Keys typed into a field are left alone (Escape leaves the field).
function select(feed, row) {
  if (!row || !row.dataset.key) return;
  for (const other of feed.querySelectorAll("tr.selected")) { other.classList.remove("selected"); other.removeAttribute("aria-selected"); }
  row.classList.add("selected");
  row.setAttribute("aria-selected", "true");
  row.scrollIntoView({ block: "nearest" });
}

function onKey(pressed) {
  if (pressed.ctrlKey || pressed.metaKey || pressed.altKey) return;
  const target = pressed.target;
  if (target.closest && target.closest("input, textarea, select")) {
    if (pressed.key === "Escape") target.blur();
    return;
  }
  if (pressed.key === "Enter" && target.closest && target.closest("a, button, summary")) return;  // their own Enter
  const feed = document.getElementById("feed");
  const actions = document.querySelector("form.actions");
  const press = (selector) => { const button = document.querySelector(selector); if (button) button.click(); };
  let handled = true;
  if (pressed.key === "m" && document.getElementById("sound-toggle")) toggleSound();
  else if (feed && ["j", "k", "ArrowDown", "ArrowUp"].includes(pressed.key)) {
    const rows = [...feed.querySelectorAll("tr[data-key]")];
    const at = rows.findIndex((row) => row.classList.contains("selected"));
    const step = pressed.key === "j" || pressed.key === "ArrowDown" ? 1 : -1;
    select(feed, rows[at < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, at + step))]);
  } else if (feed && (pressed.key === "Enter" || pressed.key === "o")) {
    const link = feed.querySelector("tr.selected a[href^='/events/']");
    if (link) window.location.assign(link.href);
  } else if (feed && pressed.key === "/") document.getElementById("feed-search").focus();
  else if (actions && pressed.key === "a") press("form.actions button[data-action=acknowledge]");
  else if (actions && pressed.key === "r") press("form.actions button[data-action=resolve]");
  else if (actions && pressed.key === "f") press("form.actions button[data-action=false-alarm]");
  else if (actions && pressed.key === "n") actions.elements.note.focus();
  else if (document.getElementById("event-keys") && (pressed.key === "u" || pressed.key === "Escape")) {
    window.location.assign("/events");
  } else handled = false;
  if (handled) pressed.preventDefault();
}

function followFeed(feed) {
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; refreshFeed(feed); }, 100);  // one refresh per burst of messages
  };
  const stream = new EventSource("/api/events/stream");
  for (const kind of ["event", "status", "dropped"]) stream.addEventListener(kind, schedule);
  stream.onopen = schedule;  // after a reconnect, catch up on what was missed
  alarmOn(stream);
}

function wireActions(form) {
  form.addEventListener("submit", (submitted) => {  // Enter in the note adds it
    submitted.preventDefault();
    form.querySelector("button[data-action=note]").click();
  });
  for (const button of form.querySelectorAll("button[data-action]")) {
    button.addEventListener("click", async () => {
      const note = form.elements.note.value.trim();
      if (button.dataset.action === "note" && !note) { form.elements.note.focus(); return; }
      const response = await fetch(`/api/events/${form.dataset.event}/${button.dataset.action}`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify(note ? { note } : {}),
      });
      if (response.ok) { window.location.reload(); return; }
      let detail = response.statusText;
      try { detail = (await response.json()).detail; } catch (_) { /* not JSON */ }
      alert(form.dataset.failed.replace("{detail}", detail));
    });
  }
}

// Admins only: show the snapshot and the clip without the privacy mask; the server refuses without a reason and audits it.
function wireUnmask(form) {
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const reason = form.elements.reason.value.trim();
    if (!reason) { form.elements.reason.reportValidity(); return; }
    const query = new URLSearchParams({ unmask: "true", reason });
    document.getElementById("snapshot").src = `/api/events/${form.dataset.event}/snapshot.jpg?${query}`;
    const clip = document.getElementById("clip");
    if (clip) clip.src = `/api/events/${form.dataset.event}/clip.mp4?${query}`;
    document.getElementById("mask-state").textContent = form.dataset.unmasked;
    form.hidden = true;
  });
}

// A camera's own view plays its MJPEG stream (at most 5 fps, people masked); after an error it tries again.
const RETRY_MS = 3000;

function followTile(tile) {
  if (tile.classList.contains("state-disabled")) return;
  const img = tile.querySelector("img.frame");
  const next = () => {
    const query = new URLSearchParams(img.dataset.query || "");
    query.set("t", String(Date.now()));
    img.src = `${img.dataset.stream}?${query}`;
  };
  img.addEventListener("load", () => tile.classList.add("has-frame"));
  img.addEventListener("error", () => { tile.classList.remove("has-frame"); setTimeout(next, RETRY_MS); });
  img.restart = next;
  // a stream never finishes loading: start it after the page's load event, or the page would never be "loaded"
  if (document.readyState === "complete") next();
  else window.addEventListener("load", next, { once: true });
}

// The wall plays all its cameras over one stream (browsers open at most 6 connections to one server over HTTP/1.1,
// fewer than 9 or 16 MJPEG streams): multipart parts, each a camera's masked JPEG with X-Camera and X-Frame-Time.
const PART_END = new TextEncoder().encode("\r\n--gwanje-frame\r\n");
const HEAD_END = new TextEncoder().encode("\r\n\r\n");

function indexOf(bytes, needle, from) {
  outer: for (let i = from; i <= bytes.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

// The frame is decoded off the page first, then swapped in: a tile never shows a half-loaded (blank) picture.
function showFrame(tile, jpeg, frameTime) {
  const img = tile.querySelector("img.frame");
  const url = URL.createObjectURL(new Blob([jpeg], { type: "image/jpeg" }));
  const loader = new Image();
  loader.onload = () => {
    if (Number(img.dataset.frameTime || 0) > Number(frameTime)) { URL.revokeObjectURL(url); return; }  // overtaken
    const shown = img.dataset.url;
    img.src = url;
    img.dataset.url = url;
    img.dataset.frameTime = frameTime;
    img.dataset.shownAt = String(Date.now() / 1000);
    if (shown) URL.revokeObjectURL(shown);
    tile.classList.add("has-frame");
  };
  loader.onerror = () => URL.revokeObjectURL(url);
  loader.src = url;
}

// Shows every whole part in ``bytes`` (after the opening boundary); returns what is left of an unfinished one.
function showParts(tiles, bytes) {
  for (;;) {
    const headEnd = indexOf(bytes, HEAD_END, 0);
    if (headEnd < 0) return bytes;
    const head = new TextDecoder().decode(bytes.subarray(0, headEnd));
    const headers = new Map(head.split("\r\n").map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }));
    const start = headEnd + HEAD_END.length, end = start + Number(headers.get("content-length"));
    if (bytes.length < end + PART_END.length) return bytes;
    const tile = tiles.get(headers.get("x-camera"));
    if (tile) showFrame(tile, bytes.slice(start, end), headers.get("x-frame-time"));
    bytes = bytes.subarray(end + PART_END.length);
  }
}

async function playWall(wall) {
  const tiles = new Map([...wall.querySelectorAll(".tile:not(.state-disabled)")].map((t) => [t.dataset.camera, t]));
  if (tiles.size === 0) return;
  const query = new URLSearchParams([...tiles.keys()].map((camera) => ["camera", camera]));
  try {
    const response = await fetch(`${wall.dataset.frames}?${query}`, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const reader = response.body.getReader();
    let bytes = new Uint8Array(0), opened = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const joined = new Uint8Array(bytes.length + value.length);
      joined.set(bytes);
      joined.set(value, bytes.length);
      bytes = joined;
      if (!opened) {  // the opening boundary: "--gwanje-frame\r\n"
        if (bytes.length < PART_END.length - 2) continue;
        bytes = bytes.subarray(PART_END.length - 2);
        opened = true;
      }
      bytes = showParts(tiles, bytes);
    }
  } catch (error) {
    console.warn("live wall stream:", error);
  }
  for (const tile of tiles.values()) tile.classList.remove("has-frame");
  setTimeout(() => playWall(wall), RETRY_MS);
}

// Health and new alerts of every tile; a tile whose camera raises an alert flashes and moves to the front.
async function refreshWall(wall) {
  const response = await fetch(wall.dataset.state, { credentials: "same-origin" });
  if (!response.ok) return;
  const template = document.getElementById("health-labels");
  const labels = new Map([...template.content.querySelectorAll("span")].map((s) => [s.dataset.state, s.textContent]));
  for (const camera of (await response.json()).cameras) {
    const tile = document.getElementById(`tile-${camera.id}`);
    if (!tile) continue;
    tile.className = tile.className.replace(/state-\S+/, `state-${camera.state}`);
    tile.querySelector(".health").textContent = labels.get(camera.state) || camera.state;
    const badge = tile.querySelector(".badge");
    badge.hidden = camera.open === 0;
    badge.textContent = wall.dataset.openLabel.replace("{count}", camera.open);
    if (camera.open > Number(tile.dataset.open)) {
      wall.prepend(tile);
      tile.classList.add("flash");
      setTimeout(() => tile.classList.remove("flash"), 3000);
    }
    tile.classList.toggle("alerting", camera.open > 0);
    tile.dataset.open = String(camera.open);
  }
}

function followWall(wall) {
  if (wall.dataset.frames) playWall(wall);
  else for (const tile of wall.querySelectorAll(".tile")) followTile(tile);
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; refreshWall(wall); }, 100);
  };
  setInterval(schedule, 5000);  // health changes are not pushed: poll them
  const stream = new EventSource("/api/events/stream");
  for (const kind of ["event", "status", "dropped"]) stream.addEventListener(kind, schedule);
  alarmOn(stream);
}

// Admins only: the single-camera view without the privacy mask, with a reason the server logs.
function wireLiveUnmask(form) {
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const reason = form.elements.reason.value.trim();
    if (!reason) { form.elements.reason.reportValidity(); return; }
    const img = document.querySelector("#wall img.frame");
    img.dataset.query = new URLSearchParams({ unmask: "true", reason }).toString();
    if (img.restart) img.restart();
    document.getElementById("mask-state").textContent = form.dataset.unmasked;
    form.hidden = true;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("keydown", onKey);
  const sound = document.getElementById("sound-toggle");
  if (sound) { showSound(sound); sound.addEventListener("click", toggleSound); }
  const wall = document.getElementById("wall");
  if (wall) followWall(wall);
  const liveUnmask = document.querySelector("form.live-unmask");
  if (liveUnmask) wireLiveUnmask(liveUnmask);
  const feed = document.getElementById("feed");
  if (feed) followFeed(feed);
  const markAll = document.getElementById("mark-all-read");
  if (markAll && feed) markAll.addEventListener("click", () => markAllRead(markAll, feed));
  const actions = document.querySelector("form.actions");
  if (actions) wireActions(actions);
  const unmask = document.querySelector("form.unmask");
  if (unmask) wireUnmask(unmask);
});
