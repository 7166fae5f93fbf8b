// The alert channels page: "Send test" posts to the API and shows whether the receiver took the message.
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

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("channels");
  if (table) wireChannelTests(table);
});
