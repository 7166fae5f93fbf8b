// Camera administration (admins): add or change a camera (with its schedule and per-type alert thresholds), test its
// connection, disable or delete it.
// Every button calls the API with the session's CSRF token; a change applies to that camera at once.
"use strict";

async function problem(response) {
  let detail = response.statusText;
  try { detail = (await response.json()).detail; } catch (_) { /* not JSON */ }
  if (Array.isArray(detail)) detail = detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
  return typeof detail === "string" ? detail : JSON.stringify(detail);
}

function wireCameraForm(form) {
  const message = document.getElementById("camera-message");
  const isNew = form.dataset.new === "true";
  const say = (text) => { message.textContent = text; };
  const failed = async (response) => say(form.dataset.failed.replace("{detail}", await problem(response)));
  const call = (method, path, body) => fetch(path, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const source = () => ({
    url: form.elements.url.value.trim(),
    transport: form.elements.transport.value,
    loop: form.elements.loop.checked,
  });
  const cameraId = () => form.elements.id.value.trim();
  const windows = document.getElementById("schedule-windows");
  const wireWindow = (row) => row.querySelector(".schedule-remove").addEventListener("click", () => row.remove());
  windows.querySelectorAll(".schedule-window").forEach(wireWindow);
  document.getElementById("schedule-add").addEventListener("click", () => {
    const row = document.getElementById("schedule-window").content.firstElementChild.cloneNode(true);
    windows.append(row);
    wireWindow(row);
  });
  // Empty: always armed. Seconds are kept ("23:59:59"), so a window saved unchanged stays the same.
  const schedule = () => ({
    timezone: form.elements.timezone.value.trim() || null,
    windows: [...windows.querySelectorAll(".schedule-window")].map((row) => ({
      days: [...row.querySelectorAll("input[name=day]:checked")].map((box) => box.value),
      start: row.querySelector("input[name=start]").value,
      end: row.querySelector("input[name=end]").value,
    })),
  });
  // Only the event types whose threshold or on/off changed are sent, each with its whole tuning (an override replaces
  // the type's tuning, so its other settings must come along unchanged).
  const tuning = JSON.parse(document.getElementById("event-tuning").textContent);
  const events = () => {
    const changed = {};
    for (const [kind, current] of Object.entries(tuning)) {
      const enabled = form.elements[`enabled-${kind}`].checked;
      const threshold = Number(form.elements[`threshold-${kind}`].value);
      if (enabled !== current.enabled || threshold !== current.threshold) changed[kind] = { ...current, enabled, threshold };
    }
    return changed;
  };

  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    let rules;
    try { rules = JSON.parse(form.elements.rules.value || "[]"); } catch (_) { say(form.dataset.badJson); return; }
    const when = schedule();
    if (when.windows.some((w) => !w.days.length)) { say(document.getElementById("schedule").dataset.noDay); return; }
    const body = {
      name: form.elements.name.value.trim() || null,
      enabled: form.elements.enabled.checked,
      source: source(),
      analysis_fps: Number(form.elements.analysis_fps.value),
      detectors: [...form.querySelectorAll("input[name=detectors]:checked")].map((box) => box.value),
      sensitivity: Number(form.elements.sensitivity.value),
      rules,
      schedule: when,
      events: events(),
    };
    const response = isNew
      ? await call("POST", "/api/cameras", { id: cameraId(), ...body })
      : await call("PATCH", `/api/cameras/${encodeURIComponent(cameraId())}`, body);
    if (!response.ok) { await failed(response); return; }
    if (isNew) { window.location.assign(`/admin/cameras/${encodeURIComponent(cameraId())}`); return; }
    Object.assign(tuning, body.events);  // saved: the next save compares with these
    say(form.dataset.saved);
  });

  document.getElementById("camera-test").addEventListener("click", async () => {
    const result = document.getElementById("camera-test-result");
    const frame = document.getElementById("camera-test-frame");
    result.hidden = true;
    say(form.dataset.testing);
    const target = encodeURIComponent(cameraId() || "new");
    const response = await call("POST", `/api/cameras/${target}/test`, { source: source() });
    if (!response.ok) { await failed(response); return; }
    if (frame.src.startsWith("blob:")) URL.revokeObjectURL(frame.src);
    frame.src = URL.createObjectURL(await response.blob());
    result.hidden = false;
    say(form.dataset.testOk);
  });

  const toggle = document.getElementById("camera-toggle");
  if (toggle) toggle.addEventListener("click", async () => {
    const enabled = toggle.dataset.enabled !== "true";
    const response = await call("PATCH", `/api/cameras/${encodeURIComponent(cameraId())}`, { enabled });
    if (!response.ok) { await failed(response); return; }
    window.location.reload();
  });

  const remove = document.getElementById("camera-delete");
  if (remove) remove.addEventListener("click", async () => {
    if (!window.confirm(form.dataset.confirmDelete)) return;
    const response = await call("DELETE", `/api/cameras/${encodeURIComponent(cameraId())}`);
    if (!response.ok) { await failed(response); return; }
    window.location.assign("/admin/cameras");
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("camera-form");
  if (form) wireCameraForm(form);
});
