// Sending a file to the bucket with progress (a signed POST form, or a presigned PUT),
// and S3's answer as a sentence.

import { empty, tooLarge } from "./sizes.js";

function xmlText(doc, tag) {
  const node = doc && doc.getElementsByTagName(tag)[0];
  return node ? node.textContent : "";
}

// Posts the signed fields, then the file (S3 ignores fields after the file), and
// resolves with {status, key, code, message}; status 0 when the bucket was not reached.
export function post(signed, file, onProgress) {
  return new Promise((resolve) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(signed.fields)) data.append(name, value);
    data.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", signed.url);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100)); };
    xhr.onload = () => {
      const doc = xhr.responseText ? new DOMParser().parseFromString(xhr.responseText, "application/xml") : null;
      resolve({ status: xhr.status, key: xmlText(doc, "Key"), code: xmlText(doc, "Code"), message: xmlText(doc, "Message") });
    };
    xhr.onerror = () => resolve({ status: 0 });
    xhr.send(data);
  });
}

// PUTs the file to a presigned URL with its signed Content-Type (the browser sets the
// length), and resolves like `post`; the key is the one the URL was signed for.
export function put(signed, file, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", signed.url);
    xhr.setRequestHeader("Content-Type", signed.headers["Content-Type"]);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100)); };
    xhr.onload = () => {
      const doc = xhr.responseText ? new DOMParser().parseFromString(xhr.responseText, "application/xml") : null;
      resolve({ status: xhr.status, key: signed.key, code: xmlText(doc, "Code"), message: xmlText(doc, "Message") });
    };
    xhr.onerror = () => resolve({ status: 0 });
    xhr.send(file);
  });
}

export function stored(result) {
  return result.status === 201 || result.status === 204 || result.status === 200;
}

// The form expired before the bucket read it: a fresh one may succeed.
export function expired(result) {
  const lower = (result.message || "").toLowerCase();
  return result.code === "ExpiredToken" || (result.code === "AccessDenied" && lower.includes("expired"));
}

// S3's refusal, as a sentence a person can act on.
export function explain(file, result, maxSize) {
  const { status, code, message } = result;
  const lower = (message || "").toLowerCase();
  if (code === "EntityTooLarge") return tooLarge(file, maxSize);
  if (code === "EntityTooSmall") return empty(file);
  if (lower.includes("condition") || lower.includes("extra input fields") || lower.includes("not specified in the policy"))
    return `The storage refused this upload: it did not match the signed form (${message}).`;
  if (code === "SignatureDoesNotMatch" || code === "AccessDenied")
    return "The storage refused the upload's signature. Reload the page and try again.";
  if (status === 0) return "Could not reach the storage service. Check your connection and try again.";
  return code ? `Upload failed: ${code} — ${message}` : `Upload failed (HTTP ${status}).`;
}
