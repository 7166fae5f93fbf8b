// Camera administration (admins): add or change a camera, test its connection, disable or delete it.
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

  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    let rules;
    try { rules = JSON.parse(form.elements.rules.value || "[]"); } catch (_) { say(form.dataset.badJson); return; }
    const body = {
      name: form.elements.name.value.trim() || null,
      enabled: form.elements.enabled.checked,
      source: source(),
      analysis_fps: Number(form.elements.analysis_fps.value),
      detectors: [...form.querySelectorAll("input[name=detectors]:checked")].map((box) => box.value),
      sensitivity: Number(form.elements.sensitivity.value),
      rules,
    };
    const response = isNew
      ? await call("POST", "/api/cameras", { id: cameraId(), ...body })
      : await call("PATCH", `/api/cameras/${encodeURIComponent(cameraId())}`, body);
    if (!response.ok) { await failed(response); return; }
    if (isNew) { window.location.assign(`/admin/cameras/${encodeURIComponent(cameraId())}`); return; }
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
