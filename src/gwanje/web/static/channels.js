// The alert channels page: "Send test" posts to the API and shows whether the receiver took the message; a form
// adds or changes a webhook or Apprise channel and a button deletes one.
"use strict";

function wireChannelTests(table) {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  for (const button of table.querySelectorAll("button.send-test")) {
    button.addEventListener("click", async () => {
      const cell = button.closest("tr").querySelector(".test-result");
      button.disabled = true;
      cell.textContent = table.dataset.testing;
      let text;
      try {
        const response = await fetch(`/api/channels/${encodeURIComponent(button.dataset.channel)}/test`, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
          body: "{}",
        });
        const answer = await response.json();
        if (response.ok && answer.ok) text = table.dataset.ok;
        else text = table.dataset.failed.replace("{detail}", response.ok ? answer.error : answer.detail);
      } catch (error) {
        text = table.dataset.failed.replace("{detail}", String(error));
      }
      cell.textContent = text;
      button.disabled = false;
    });
  }
}


// Add, change and delete webhook and Apprise channels. The form never holds a stored token: editing, its token
// fields start empty, and a field sent empty keeps the stored value (the API's rule).
async function channelProblem(response) {
  let detail = response.statusText;
  try { detail = (await response.json()).detail; } catch (_) { /* not JSON */ }
  if (Array.isArray(detail)) detail = detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
  return typeof detail === "string" ? detail : JSON.stringify(detail);
}

function wireChannelForm(form, table) {
  const message = document.getElementById("channel-message");
  const title = document.getElementById("channel-form-title");
  const cancel = document.getElementById("channel-cancel");
  const windows = document.getElementById("schedule-windows");
  let editing = null; // the row's data while a channel is edited
  const call = (method, path, body) => fetch(path, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const showKind = () => {
    const webhook = form.elements.kind.value === "webhook";
    form.querySelectorAll(".for-webhook").forEach((el) => { el.hidden = !webhook; });
    form.querySelectorAll(".for-apprise").forEach((el) => { el.hidden = webhook; });
  };
  form.elements.kind.addEventListener("change", showKind);
  const addWindow = (w) => {
    const row = document.getElementById("schedule-window").content.firstElementChild.cloneNode(true);
    if (w) {
      row.querySelectorAll("input[name=day]").forEach((box) => { box.checked = w.days.includes(box.value); });
      row.querySelector("input[name=start]").value = w.start;
      row.querySelector("input[name=end]").value = w.end;
    }
    row.querySelector(".schedule-remove").addEventListener("click", () => row.remove());
    windows.append(row);
  };
  document.getElementById("schedule-add").addEventListener("click", () => addWindow(null));
  const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((box) => box.value);
  const setChecked = (name, values) => form.querySelectorAll(`input[name=${name}]`).forEach((box) => {
    box.checked = values.includes(box.value);
  });
  const body = () => {
    const windowsOut = [...windows.querySelectorAll(".schedule-window")].map((row) => ({
      days: [...row.querySelectorAll("input[name=day]:checked")].map((box) => box.value),
      start: row.querySelector("input[name=start]").value,
      end: row.querySelector("input[name=end]").value,
    }));
    const out = {
      event_types: checked("event_type"),
      states: checked("state"),
      cameras: checked("camera"),
      schedule: { timezone: form.elements.timezone.value.trim() || null, windows: windowsOut },
    };
    if (form.elements.kind.value === "webhook") {
      out.url = form.elements.url.value.trim();
      const secret = form.elements.secret.value;
      if (secret || !editing) out.secret = secret || null;
    } else {
      out.urls = form.elements.urls.value.split("\n").map((u) => u.trim()).filter((u) => u);
    }
    return out;
  };
  const reset = () => {
    editing = null;
    form.reset();
    windows.replaceChildren();
    form.elements.kind.disabled = false;
    form.elements.name.readOnly = false;
    form.querySelector(".keep-note").hidden = true;
    title.textContent = form.dataset.add;
    cancel.hidden = true;
    showKind();
  };
  cancel.addEventListener("click", reset);
  for (const button of table.querySelectorAll("button.edit-channel")) {
    button.addEventListener("click", () => {
      reset();
      editing = JSON.parse(button.closest("tr").dataset.channel);
      form.elements.kind.value = editing.kind;
      form.elements.kind.disabled = true;
      form.elements.name.value = editing.label;
      form.elements.name.readOnly = true;
      form.querySelector(".keep-note").hidden = false;
      const filters = editing.filters;
      setChecked("event_type", filters.event_types || []);
      setChecked("state", filters.states || []);
      setChecked("camera", filters.cameras || []);
      if (filters.schedule) {
        form.elements.timezone.value = filters.schedule.timezone || "";
        filters.schedule.windows.forEach(addWindow);
      }
      title.textContent = form.dataset.editing.replace("{name}", editing.name);
      cancel.hidden = false;
      showKind();
      form.scrollIntoView();
    });
  }
  for (const button of table.querySelectorAll("button.delete-channel")) {
    button.addEventListener("click", async () => {
      if (!window.confirm(button.dataset.confirm)) return;
      const name = JSON.parse(button.closest("tr").dataset.channel).name;
      const response = await call("DELETE", `/api/channels/${encodeURIComponent(name)}`);
      if (response.ok) window.location.reload();
      else message.textContent = form.dataset.failed.replace("{detail}", await channelProblem(response));
    });
  }
  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    if ([...windows.querySelectorAll(".schedule-window")].some((row) => !row.querySelector("input[name=day]:checked"))) {
      message.textContent = form.dataset.noDay;
      return;
    }
    const response = editing
      ? await call("PATCH", `/api/channels/${encodeURIComponent(editing.name)}`, body())
      : await call("POST", "/api/channels", { kind: form.elements.kind.value, name: form.elements.name.value.trim(), ...body() });
    if (response.ok) {
      message.textContent = form.dataset.saved.replace("{name}", (await response.json()).name);
      window.location.reload();
    } else {
      message.textContent = form.dataset.failed.replace("{detail}", await channelProblem(response));
    }
  });
  showKind();
}

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("channels");
  wireChannelTests(table);
  wireChannelForm(document.getElementById("channel-form"), table);
});
