// Enhances the plain upload form: several files, drag and drop, a progress bar per
// file, sizes checked before sending, a fresh signed form per file, plain-sentence
// errors. Without this script (or without module support) the form still uploads
// one file.

import { confirm, presign } from "./api.js";
import { expired, explain, post, put, stored } from "./s3.js";
import { empty, human, tooLarge } from "./sizes.js";

const PARALLEL = 3;

// One file's line in the list: name, size, progress bar and what is happening.
function row(list, file) {
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

// `how.put`: the bucket takes presigned PUTs instead of POST forms; `how.presign` and
// `how.confirm`: where to ask for them and report back (a guest link's own addresses);
// `how.guest`: show the guest the file's name, not its key.
async function upload(file, ui, maxSize, how, retried) {
  if (file.size > maxSize) return ui.fail(tooLarge(file, maxSize));
  if (file.size === 0) return ui.fail(empty(file));
  let signed;
  try {
    ui.say("Preparing…");
    signed = await presign(file, how.put, how.presign);
  } catch (error) {
    return ui.fail(error.message);
  }
  ui.say("Uploading…");
  const result = await (how.put ? put : post)(signed, file, ui.progress);
  if (stored(result)) {
    const key = result.key || signed.key;
    await confirm(key, how.confirm);
    // A guest sees the name it sent, not where it went in someone else's space.
    return ui.done(how.guest ? file.name : key);
  }
  if (expired(result)) {
    if (retried) return ui.fail("This form expired; reload the page.");
    ui.say("This form expired, retrying…");
    return upload(file, ui, maxSize, how, true);
  }
  ui.fail(explain(file, result, maxSize));
}

function enhance(form) {
  document.documentElement.classList.add("js");
  const list = document.getElementById("upload-list");
  const input = form.querySelector('input[type="file"]');
  const zone = form.querySelector(".dropzone");
  const maxSize = Number(form.dataset.maxSize);
  const how = {
    put: form.dataset.method === "put",
    presign: form.dataset.presign || "",
    confirm: form.dataset.confirm || "",
    guest: form.dataset.guest === "true",
  };
  const queue = [];
  let running = 0;

  input.multiple = true;
  input.required = false;

  function pump() {
    while (running < PARALLEL && queue.length) {
      const { file, ui } = queue.shift();
      running++;
      upload(file, ui, maxSize, how, false).finally(() => { running--; pump(); });
    }
  }

  function add(files) {
    for (const file of files) queue.push({ file, ui: row(list, file) });
    pump();
  }

  input.addEventListener("change", () => { add(input.files); input.value = ""; });
  form.addEventListener("submit", (e) => { e.preventDefault(); if (input.files.length) add(input.files); else input.click(); });
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("is-over"); }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("is-over")));
  zone.addEventListener("drop", (e) => { e.preventDefault(); if (e.dataTransfer.files.length) add(e.dataTransfer.files); });
}

// A form signed for one named file (`/upload/one`) is left as it is.
const form = document.getElementById("upload-form");
if (form && !form.dataset.oneFile && window.FormData && window.DOMParser) enhance(form);
