// Zone and tripwire drawing (admins). Zones: click the camera's frame to add corners, name the zone, choose the rules
// that watch it and save. Tripwires: click the line's two ends (A, then B), choose the crossing that counts (an arrow
// shows it), name it and save. Both go through the API and the running camera uses them at once.
// Coordinates are relative to the frame (0..1), as the configuration's are.
// Without a mouse: with the picture focused, the arrow keys move a cross (1 % of the frame a press, 5 % with Shift),
// Enter or Space adds a point where it is, Backspace takes the last point back.
"use strict";

async function failure(response) {
  let detail = response.statusText;
  try { detail = (await response.json()).detail; } catch (_) { /* not JSON */ }
  return typeof detail === "string" ? detail : JSON.stringify(detail);
}

function wireZoneEditor(editor) {
  const canvas = document.getElementById("zone-canvas");
  const frame = document.getElementById("zone-frame");
  const form = document.getElementById("zone-form");
  const lineForm = document.getElementById("line-form");
  const message = document.getElementById("zone-message");
  const lineMessage = document.getElementById("line-message");
  const pointsLabel = document.getElementById("zone-points");
  const linePointsLabel = document.getElementById("line-points");
  const list = document.getElementById("zone-list");
  const lineList = document.getElementById("line-list");
  const directionLabels = new Map([...document.getElementById("direction-labels").content.querySelectorAll("span")]
    .map((span) => [span.dataset.direction, span.textContent]));
  const paint = canvas.getContext("2d");
  let zones = JSON.parse(document.getElementById("zone-data").textContent);
  let lines = JSON.parse(document.getElementById("line-data").textContent);
  let points = [];
  let ends = [];
  let mode = "zone";
  let cursor = null;  // the keyboard's cross while the picture has the focus

  const px = ([x, y]) => [x * canvas.width, y * canvas.height];
  const outline = (polygon, colour, closed) => {
    if (!polygon.length) return;
    paint.beginPath();
    polygon.forEach(([x, y], i) => (i ? paint.lineTo : paint.moveTo).call(paint, x * canvas.width, y * canvas.height));
    if (closed) { paint.closePath(); paint.fillStyle = colour + "33"; paint.fill(); }
    paint.strokeStyle = colour;
    paint.lineWidth = 3;
    paint.stroke();
  };
  // The crossing that counts: a_to_b goes from the left to the right of someone walking from A to B on screen,
  // i.e. along the normal (-dy, dx) in image coordinates (y down); "any" shows both arrows.
  const arrow = (from, to, colour) => {
    const [x1, y1] = from, [x2, y2] = to;
    const angle = Math.atan2(y2 - y1, x2 - x1);
    paint.beginPath();
    paint.moveTo(x1, y1);
    paint.lineTo(x2, y2);
    for (const side of [-1, 1]) {
      paint.moveTo(x2, y2);
      paint.lineTo(x2 - 14 * Math.cos(angle + side * 0.5), y2 - 14 * Math.sin(angle + side * 0.5));
    }
    paint.strokeStyle = colour;
    paint.lineWidth = 3;
    paint.stroke();
  };
  const tripwire = (line, direction, name, colour) => {
    const [a, b] = line.map(px);
    outline(line, colour, false);
    paint.fillStyle = colour;
    paint.fillText("A", a[0] + 6, a[1] - 6);
    if (!b) return;
    paint.fillText("B", b[0] + 6, b[1] - 6);
    if (name) paint.fillText(name, (a[0] + b[0]) / 2 + 8, (a[1] + b[1]) / 2 + 28);
    const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
    const length = Math.hypot(dx, dy) || 1;
    const [nx, ny] = [(-dy / length) * 40, (dx / length) * 40];
    const mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    if (direction !== "b_to_a") arrow([mid[0] - nx, mid[1] - ny], [mid[0] + nx, mid[1] + ny], colour);
    if (direction !== "a_to_b") arrow([mid[0] + nx, mid[1] + ny], [mid[0] - nx, mid[1] - ny], colour);
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
    for (const line of lines) tripwire(line.line, line.direction, line.name, "#d96bff");
    outline(points, "#ff4d4f", points.length > 2);
    paint.fillStyle = "#ff4d4f";
    for (const [x, y] of points) paint.fillRect(x * canvas.width - 5, y * canvas.height - 5, 10, 10);
    if (ends.length) tripwire(ends, lineForm.elements.direction.value, "", "#ff4d4f");
    if (cursor) {
      const [cx, cy] = px(cursor);
      paint.beginPath();
      paint.moveTo(cx - 18, cy); paint.lineTo(cx + 18, cy);
      paint.moveTo(cx, cy - 18); paint.lineTo(cx, cy + 18);
      paint.strokeStyle = "#ffffff";
      paint.lineWidth = 2;
      paint.stroke();
    }
    pointsLabel.textContent = pointsLabel.dataset.label.replace("{count}", points.length);
    linePointsLabel.textContent = linePointsLabel.dataset.label.replace("{count}", ends.length);
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
  const showLines = (saved) => {
    lines = saved.lines;
    if (!lines.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = lineList.dataset.none;
      lineList.replaceChildren(none);
      return;
    }
    lineList.replaceChildren(...lines.map((line) => {
      const item = document.createElement("li");
      item.dataset.line = line.name;
      item.textContent = `${line.name} · ${directionLabels.get(line.direction)} `;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = lineList.dataset.delete;
      remove.addEventListener("click", () => deleteLine(line.name));
      item.append(remove);
      return item;
    }));
  };
  const lineUrl = (name) => `/api/cameras/${editor.dataset.camera}/lines/${encodeURIComponent(name)}`;
  const deleteLine = async (name) => {
    const response = await fetch(lineUrl(name), {
      method: "DELETE", credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() },
    });
    if (!response.ok) { lineMessage.textContent = editor.dataset.failed.replace("{detail}", await failure(response)); return; }
    showLines(await response.json());
    draw();
    lineMessage.textContent = editor.dataset.lineDeleted.replace("{name}", name);
  };

  frame.addEventListener("load", () => {
    canvas.height = Math.round(canvas.width * frame.naturalHeight / frame.naturalWidth);
    draw();
  });
  frame.addEventListener("error", () => { frame.hidden = true; editor.classList.add("no-frame"); });
  const clamp = (v) => Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;
  const addPoint = (point) => {
    if (mode === "zone") points.push(point);
    else ends = ends.length >= 2 ? [point] : [...ends, point];  // a third point starts a new line
    draw();
  };
  canvas.addEventListener("click", (clicked) => {
    const box = canvas.getBoundingClientRect();
    addPoint([clamp((clicked.clientX - box.left) / box.width), clamp((clicked.clientY - box.top) / box.height)]);
  });
  const steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  canvas.addEventListener("focus", () => { cursor = cursor || [0.5, 0.5]; draw(); });
  canvas.addEventListener("blur", () => { cursor = null; draw(); });
  canvas.addEventListener("keydown", (pressed) => {
    if (!cursor) cursor = [0.5, 0.5];
    const step = steps[pressed.key];
    if (step) {
      const size = pressed.shiftKey ? 0.05 : 0.01;
      cursor = [clamp(cursor[0] + step[0] * size), clamp(cursor[1] + step[1] * size)];
      draw();
    } else if (pressed.key === "Enter" || pressed.key === " ") {
      addPoint([...cursor]);
    } else if (pressed.key === "Backspace") {
      if (mode === "zone") points.pop(); else ends.pop();
      draw();
    } else {
      return;
    }
    pressed.preventDefault();  // the arrows and Space would scroll the page
  });
  for (const radio of document.querySelectorAll("#draw-mode input[name=mode]")) {
    radio.addEventListener("change", () => {
      mode = radio.value;
      form.hidden = mode !== "zone";
      lineForm.hidden = mode !== "line";
      draw();
    });
  }
  lineForm.elements.direction.addEventListener("change", draw);
  document.getElementById("zone-undo").addEventListener("click", () => { points.pop(); draw(); });
  document.getElementById("zone-clear").addEventListener("click", () => { points = []; draw(); });
  document.getElementById("line-clear").addEventListener("click", () => { ends = []; draw(); });
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
    if (!response.ok) { message.textContent = editor.dataset.failed.replace("{detail}", await failure(response)); return; }
    showZones(await response.json());
    points = [];
    draw();
    message.textContent = editor.dataset.saved.replace("{name}", name);
  });
  lineForm.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    const name = lineForm.elements.name.value.trim();
    if (ends.length < 2) { lineMessage.textContent = editor.dataset.lineTooFew; return; }
    const response = await fetch(lineUrl(name), {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify({ line: ends, direction: lineForm.elements.direction.value }),
    });
    if (!response.ok) { lineMessage.textContent = editor.dataset.failed.replace("{detail}", await failure(response)); return; }
    showLines(await response.json());
    ends = [];
    draw();
    lineMessage.textContent = editor.dataset.lineSaved.replace("{name}", name);
  });
  showLines({ lines });
  draw();
}

document.addEventListener("DOMContentLoaded", () => {
  const editor = document.getElementById("zone-editor");
  if (editor) wireZoneEditor(editor);
});
