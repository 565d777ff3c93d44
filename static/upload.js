// Enhances the plain upload form: several files, drag and drop, a progress bar per
// file, sizes checked before sending, a fresh signed form per file, plain-sentence
// errors. Without this script the form still uploads one file.
"use strict";

(function () {
  const form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.DOMParser) return;
  document.documentElement.classList.add("js");

  const list = document.getElementById("upload-list");
  const input = form.querySelector('input[type="file"]');
  const zone = form.querySelector(".dropzone");
  const maxSize = Number(form.dataset.maxSize);
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const PARALLEL = 3;
  const queue = [];
  let running = 0;

  input.multiple = true;
  input.required = false;

  // Same units as the server: 1000-based, one decimal.
  function human(bytes) {
    if (bytes < 1000) return bytes === 1 ? "1 byte" : bytes + " bytes";
    const units = ["KB", "MB", "GB", "TB"];
    let value = bytes, unit = -1;
    while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
    return value.toFixed(1).replace(/\.0$/, "") + " " + units[unit];
  }

  // "is 1 MB; the limit is 1 MB." says nothing: when both round alike, give bytes.
  function tooLarge(file) {
    const size = human(file.size), limit = human(maxSize);
    if (size !== limit) return `${file.name} is ${size}; the limit is ${limit}.`;
    const exact = (n) => n.toLocaleString("en-US") + " bytes";
    return `${file.name} is ${exact(file.size)}; the limit is ${exact(maxSize)}.`;
  }

  function row(file) {
    const li = document.createElement("li");
    li.className = "is-uploading";
    const head = document.createElement("div");
    head.className = "head";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = file.name;
    const size = document.createElement("span");
    size.className = "size";
    size.textContent = human(file.size);
    head.append(name, size);
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    const status = document.createElement("div");
    status.className = "status";
    status.textContent = "Waiting…";
    li.append(head, bar, status);
    list.prepend(li);
    return {
      progress(percent) { bar.value = percent; },
      say(text) { status.textContent = text; },
      done(key) {
        li.className = "is-done";
        bar.value = 100;
        status.textContent = "Uploaded as ";
        const code = document.createElement("code");
        code.textContent = key;
        status.append(code);
      },
      fail(text) { li.className = "is-error"; status.textContent = text; },
    };
  }

  function xmlText(doc, tag) {
    const node = doc && doc.getElementsByTagName(tag)[0];
    return node ? node.textContent : "";
  }

  // S3's error XML, as a sentence a person can act on.
  function explain(file, status, code, message) {
    const lower = (message || "").toLowerCase();
    if (code === "EntityTooLarge") return tooLarge(file);
    if (code === "EntityTooSmall") return `${file.name} is empty; choose a file with content.`;
    if (code === "ExpiredToken" || (code === "AccessDenied" && lower.includes("expired"))) return "expired";
    if (lower.includes("condition") || lower.includes("extra input fields") || lower.includes("not specified in the policy"))
      return `The storage refused this upload: it did not match the signed form (${message}).`;
    if (code === "SignatureDoesNotMatch" || code === "AccessDenied")
      return "The storage refused the upload's signature. Reload the page and try again.";
    if (status === 0) return "Could not reach the storage service. Check your connection and try again.";
    return code ? `Upload failed: ${code} — ${message}` : `Upload failed (HTTP ${status}).`;
  }

  async function presign(file) {
    const response = await fetch("/api/presign", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ filename: file.name, size: file.size, content_type: file.type || "application/octet-stream" }),
    });
    if (response.status === 401) throw new Error("Your session has ended. Reload the page and sign in again.");
    let body = null;
    try { body = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok) throw new Error((body && body.error) || `The server refused this file (HTTP ${response.status}).`);
    return body;
  }

  // Tells the server the upload arrived, so it is recorded. The file is stored either
  // way: a failed confirmation is not an upload error.
  async function confirm(key) {
    try {
      await fetch("/api/uploads/confirm", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ key }),
      });
    } catch (_) { /* recorded next time the list is read */ }
  }

  function post(signed, file, ui) {
    return new Promise((resolve) => {
      const data = new FormData();
      for (const [name, value] of Object.entries(signed.fields)) data.append(name, value);
      data.append("file", file); // S3 ignores fields after the file: it goes last.
      const xhr = new XMLHttpRequest();
      xhr.open("POST", signed.url);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) ui.progress(Math.round((e.loaded / e.total) * 100)); };
      xhr.onload = () => {
        const doc = xhr.responseText ? new DOMParser().parseFromString(xhr.responseText, "application/xml") : null;
        resolve({ status: xhr.status, key: xmlText(doc, "Key"), code: xmlText(doc, "Code"), message: xmlText(doc, "Message") });
      };
      xhr.onerror = () => resolve({ status: 0 });
      xhr.send(data);
    });
  }

  async function upload(file, ui, retried) {
    if (file.size > maxSize) return ui.fail(tooLarge(file));
    if (file.size === 0) return ui.fail(`${file.name} is empty; choose a file with content.`);
    let signed;
    try {
      ui.say("Preparing…");
      signed = await presign(file);
    } catch (error) {
      return ui.fail(error.message);
    }
    ui.say("Uploading…");
    const result = await post(signed, file, ui);
    if (result.status === 201 || result.status === 204 || result.status === 200) {
      const key = result.key || signed.key;
      await confirm(key);
      return ui.done(key);
    }
    const sentence = explain(file, result.status, result.code, result.message);
    if (sentence === "expired") {
      if (retried) return ui.fail("This form expired; reload the page.");
      ui.say("This form expired, retrying…");
      return upload(file, ui, true);
    }
    ui.fail(sentence);
  }

  function pump() {
    while (running < PARALLEL && queue.length) {
      const { file, ui } = queue.shift();
      running++;
      upload(file, ui, false).finally(() => { running--; pump(); });
    }
  }

  function add(files) {
    for (const file of files) queue.push({ file, ui: row(file) });
    pump();
  }

  input.addEventListener("change", () => { add(input.files); input.value = ""; });
  form.addEventListener("submit", (e) => { e.preventDefault(); if (input.files.length) add(input.files); else input.click(); });
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("is-over"); }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("is-over")));
  zone.addEventListener("drop", (e) => { e.preventDefault(); if (e.dataTransfer.files.length) add(e.dataTransfer.files); });
})();
