// hopsync console: the few live parts, in plain JavaScript (no build step, nothing from the internet).
"use strict";
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

// Inline checks as you type: <input data-check="/api/check/filter" aria-describedby="ID-error">
function wireChecks() {
  for (const input of document.querySelectorAll("[data-check]")) {
    const out = document.getElementById(input.id + "-error");
    let timer = null;
    let asked = 0;  // answers can arrive out of order: only the latest question's is shown
    const check = async () => {
      const mine = ++asked;
      const body = new URLSearchParams({ text: input.value, name: input.dataset.name || "" });
      const answer = await fetch(input.dataset.check, {
        method: "POST", body, headers: { "X-CSRF-Token": csrf() }, credentials: "same-origin",
      });
      if (!answer.ok || mine !== asked) return;
      const result = await answer.json();
      if (mine !== asked) return;
      out.textContent = result.errors.map((e) => e.column ? `column ${e.column}: ${e.message}` : e.message).join("\n");
      input.setAttribute("aria-invalid", result.errors.length ? "true" : "false");
      const warn = document.getElementById(input.id + "-warning");
      if (warn) warn.textContent = (result.warnings || []).join("\n");
    };
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 200); });
  }
}

// Live progress: <div data-progress="/runs/ID/progress"> with a <progress> and a [data-text] inside.
function wireProgress() {
  const box = document.querySelector("[data-progress]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-text]");
  const poll = async () => {
    const answer = await fetch(box.dataset.progress, { credentials: "same-origin" });
    if (answer.ok) {
      const p = await answer.json();
      if (p.expected !== null) { bar.max = Math.max(p.expected, 1); bar.value = p.done; }
      text.textContent = p.text;
      if (p.finished) { window.location.reload(); return; }
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 500);
}

// Select-all boxes: <input type=checkbox data-select-all="name">
function wireSelectAll() {
  for (const box of document.querySelectorAll("[data-select-all]")) {
    box.addEventListener("change", () => {
      for (const item of document.querySelectorAll(`input[name="${box.dataset.selectAll}"]`)) item.checked = box.checked;
    });
  }
}

document.addEventListener("DOMContentLoaded", () => { wireChecks(); wireProgress(); wireSelectAll(); });
