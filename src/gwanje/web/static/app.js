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
}

function wireActions(form) {
  for (const button of form.querySelectorAll("button[data-action]")) {
    button.addEventListener("click", async () => {
      const note = form.elements.note.value.trim();
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

// Admins only: show the snapshot without the privacy mask; the server refuses without a reason and audits it.
function wireUnmask(form) {
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const reason = form.elements.reason.value.trim();
    if (!reason) { form.elements.reason.reportValidity(); return; }
    const query = new URLSearchParams({ unmask: "true", reason });
    document.getElementById("snapshot").src = `/api/events/${form.dataset.event}/snapshot.jpg?${query}`;
    document.getElementById("mask-state").textContent = form.dataset.unmasked;
    form.hidden = true;
  });
}

// A live tile plays its camera's MJPEG stream (at most 5 fps, people masked) when the page has few tiles; browsers
// open at most 6 connections to one server over HTTP/1.1, so a larger wall fetches a snapshot about once a second
// after the previous one arrived instead. After an error the tile tries again.
const FRAME_INTERVAL_MS = 1000;

function followTile(tile) {
  if (tile.classList.contains("state-disabled")) return;
  const img = tile.querySelector("img.frame");
  const streamed = img.dataset.stream !== undefined;
  const next = () => {
    const query = new URLSearchParams(img.dataset.query || "");
    query.set("t", String(Date.now()));
    img.src = `${streamed ? img.dataset.stream : img.dataset.src}?${query}`;
  };
  img.addEventListener("load", () => {
    tile.classList.add("has-frame");
    if (!streamed) setTimeout(next, FRAME_INTERVAL_MS);
  });
  img.addEventListener("error", () => { tile.classList.remove("has-frame"); setTimeout(next, 3 * FRAME_INTERVAL_MS); });
  img.restart = next;
  // a stream never finishes loading: start it after the page's load event, or the page would never be "loaded"
  if (!streamed || document.readyState === "complete") next();
  else window.addEventListener("load", next, { once: true });
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
  for (const tile of wall.querySelectorAll(".tile")) followTile(tile);
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; refreshWall(wall); }, 100);
  };
  setInterval(schedule, 5000);  // health changes are not pushed: poll them
  const stream = new EventSource("/api/events/stream");
  for (const kind of ["event", "status", "dropped"]) stream.addEventListener(kind, schedule);
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
  const wall = document.getElementById("wall");
  if (wall) followWall(wall);
  const liveUnmask = document.querySelector("form.live-unmask");
  if (liveUnmask) wireLiveUnmask(liveUnmask);
  const feed = document.getElementById("feed");
  if (feed) followFeed(feed);
  const actions = document.querySelector("form.actions");
  if (actions) wireActions(actions);
  const unmask = document.querySelector("form.unmask");
  if (unmask) wireUnmask(unmask);
});
