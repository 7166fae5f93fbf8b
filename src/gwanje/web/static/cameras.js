// Camera administration (admins): add or change a camera (with its schedule, per-type alert thresholds and its rules'
// settings and schedules), test its connection, disable or delete it.
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
  const wireSchedule = (holder, add) => {
    holder.querySelectorAll(".schedule-window").forEach(wireWindow);
    add.addEventListener("click", () => {
      const row = document.getElementById("schedule-window").content.firstElementChild.cloneNode(true);
      holder.append(row);
      wireWindow(row);
    });
  };
  wireSchedule(windows, document.getElementById("schedule-add"));
  // Empty: always armed. Seconds are kept ("23:59:59"), so a window saved unchanged stays the same.
  const readSchedule = (timezone, holder) => ({
    timezone: timezone.value.trim() || null,
    windows: [...holder.querySelectorAll(".schedule-window")].map((row) => ({
      days: [...row.querySelectorAll("input[name=day]:checked")].map((box) => box.value),
      start: row.querySelector("input[name=start]").value,
      end: row.querySelector("input[name=end]").value,
    })),
  });
  const schedule = () => readSchedule(form.elements.timezone, windows);
  // Each rule's fields: only what was changed is written over the rule as it was (the JSON below, as rendered); once
  // the JSON itself is edited (to add or remove a rule), it is saved as written instead.
  const ruleBoxes = [...form.querySelectorAll("fieldset.rule")];
  for (const box of ruleBoxes) {
    const holder = box.querySelector(".schedule-windows");
    if (holder) wireSchedule(holder, box.querySelector(".rule-schedule-add"));
  }
  const fieldValue = (input) => {
    const kind = input.dataset.kind;
    if (kind === "bool") return input.checked;
    if (kind === "number") return Number(input.value);
    if (kind === "optional-number") return input.value === "" ? null : Number(input.value);
    if (kind === "optional-text") return input.value.trim() || null;
    if (kind === "list") return input.value.split(",").map((v) => v.trim()).filter(Boolean);
    return input.value.trim();
  };
  const changed = (input) => (input.dataset.kind === "bool" ? input.checked !== input.defaultChecked
    : input.tagName === "SELECT" ? !input.selectedOptions[0].defaultSelected : input.value !== input.defaultValue);
  const rulesFromFields = (rules) => ruleBoxes.filter((box) => !box.disabled).forEach((box) => {
    const rule = rules[Number(box.dataset.index)];
    for (const input of box.querySelectorAll("[data-field]")) if (changed(input)) rule[input.dataset.field] = fieldValue(input);
    const holder = box.querySelector(".schedule-windows");
    if (!holder) return;
    const when = readSchedule(box.querySelector(".rule-timezone"), holder);
    if (JSON.stringify(when) !== box.dataset.schedule) rule.schedule = when;
  });
  const rulesSaved = (rules) => {  // the next save compares with what was saved
    form.elements.rules.value = form.elements.rules.defaultValue = JSON.stringify(rules, null, 1);
    for (const input of form.querySelectorAll("fieldset.rule [data-field]")) {
      if (input.tagName === "SELECT") [...input.options].forEach((o) => { o.defaultSelected = o.selected; });
      else if (input.dataset.kind === "bool") input.defaultChecked = input.checked;
      else input.defaultValue = input.value;
    }
    for (const box of ruleBoxes) {
      const holder = box.querySelector(".schedule-windows");
      if (holder) box.dataset.schedule = JSON.stringify(readSchedule(box.querySelector(".rule-timezone"), holder));
    }
  };
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
    say("");  // a second save says so again when it is done
    let rules;
    const editedJson = form.elements.rules.value.trim() !== form.elements.rules.defaultValue.trim();
    try { rules = JSON.parse(form.elements.rules.value || "[]"); } catch (_) { say(form.dataset.badJson); return; }
    if (!editedJson) rulesFromFields(rules);
    const when = schedule();
    const noDay = (w) => !w.days.length;
    if (when.windows.some(noDay) || rules.some((r) => r.schedule && r.schedule.windows.some(noDay))) {
      say(document.getElementById("schedule").dataset.noDay);
      return;
    }
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
    if (editedJson) {  // the fields show the rules as they were: off until the page is opened again
      form.elements.rules.defaultValue = form.elements.rules.value;
      ruleBoxes.forEach((box) => { box.disabled = true; });
    } else rulesSaved(rules);
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
