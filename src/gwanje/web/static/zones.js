// Zone drawing (admins): click the camera's frame to add corners, name the zone, choose the rules that watch it,
// save it through the API: the running camera uses it at once.
// Coordinates are relative to the frame (0..1), as the configuration's zones are.
"use strict";

function wireZoneEditor(editor) {
  const canvas = document.getElementById("zone-canvas");
  const frame = document.getElementById("zone-frame");
  const form = document.getElementById("zone-form");
  const message = document.getElementById("zone-message");
  const pointsLabel = document.getElementById("zone-points");
  const list = document.getElementById("zone-list");
  const paint = canvas.getContext("2d");
  let zones = JSON.parse(document.getElementById("zone-data").textContent);
  let points = [];

  const outline = (polygon, colour, closed) => {
    if (!polygon.length) return;
    paint.beginPath();
    polygon.forEach(([x, y], i) => (i ? paint.lineTo : paint.moveTo).call(paint, x * canvas.width, y * canvas.height));
    if (closed) { paint.closePath(); paint.fillStyle = colour + "33"; paint.fill(); }
    paint.strokeStyle = colour;
    paint.lineWidth = 3;
    paint.stroke();
  };
  const draw = () => {
    paint.clearRect(0, 0, canvas.width, canvas.height);
    paint.font = "24px system-ui, sans-serif";
    for (const zone of zones) {
      const colour = zone.rules.length ? "#4da3ff" : "#ffd43b";
      outline(zone.polygon, colour, true);
      paint.fillStyle = colour;
      paint.fillText(zone.name, zone.polygon[0][0] * canvas.width + 6, zone.polygon[0][1] * canvas.height + 24);
    }
    outline(points, "#ff4d4f", points.length > 2);
    paint.fillStyle = "#ff4d4f";
    for (const [x, y] of points) paint.fillRect(x * canvas.width - 5, y * canvas.height - 5, 10, 10);
    pointsLabel.textContent = pointsLabel.dataset.label.replace("{count}", points.length);
  };
  const showZones = (saved) => {
    zones = saved.zones;
    list.replaceChildren(...zones.map((zone) => {
      const item = document.createElement("li");
      item.dataset.zone = zone.name;
      item.textContent = zone.rules.length
        ? `${zone.name} · ${list.dataset.watched} ${zone.rules.join(", ")}`
        : `${zone.name} · ${list.dataset.unwatched}`;
      return item;
    }));
    document.getElementById("zone-yaml").textContent = saved.yaml;
  };

  frame.addEventListener("load", () => {
    canvas.height = Math.round(canvas.width * frame.naturalHeight / frame.naturalWidth);
    draw();
  });
  frame.addEventListener("error", () => { frame.hidden = true; editor.classList.add("no-frame"); });
  const clamp = (v) => Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;
  canvas.addEventListener("click", (clicked) => {
    const box = canvas.getBoundingClientRect();
    points.push([clamp((clicked.clientX - box.left) / box.width), clamp((clicked.clientY - box.top) / box.height)]);
    draw();
  });
  document.getElementById("zone-undo").addEventListener("click", () => { points.pop(); draw(); });
  document.getElementById("zone-clear").addEventListener("click", () => { points = []; draw(); });
  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    const name = form.elements.name.value.trim();
    if (points.length < 3) { message.textContent = editor.dataset.tooFew; return; }
    const response = await fetch(`/api/cameras/${editor.dataset.camera}/zones/${encodeURIComponent(name)}`, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify({
        polygon: points,
        rules: [...form.querySelectorAll("input[name=rules]:checked")].map((box) => box.value),
      }),
    });
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail; } catch (_) { /* not JSON */ }
      message.textContent = editor.dataset.failed.replace("{detail}", typeof detail === "string" ? detail : JSON.stringify(detail));
      return;
    }
    showZones(await response.json());
    points = [];
    draw();
    message.textContent = editor.dataset.saved.replace("{name}", name);
  });
  draw();
}

document.addEventListener("DOMContentLoaded", () => {
  const editor = document.getElementById("zone-editor");
  if (editor) wireZoneEditor(editor);
});
