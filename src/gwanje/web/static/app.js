// Gwanje web app: the alert feed follows the live stream, and the alert page's buttons call the API.
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

document.addEventListener("DOMContentLoaded", () => {
  const feed = document.getElementById("feed");
  if (feed) followFeed(feed);
  const actions = document.querySelector("form.actions");
  if (actions) wireActions(actions);
  const unmask = document.querySelector("form.unmask");
  if (unmask) wireUnmask(unmask);
});
