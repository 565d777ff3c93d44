// The postbox JSON API, as this page's session: every call carries the CSRF token
// from the page's <meta name="csrf-token">.

const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

function postJson(path, body) {
  return fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
  });
}

// A fresh signed form for one file: {url, fields, key, max_size, expires_at}; with
// `put`, a presigned PUT instead: {url, method, headers, key, expires_at}.
// Throws an Error whose message is the server's sentence.
// `path` overrides where to ask (a guest link's own `/u/<token>/presign`).
export async function presign(file, put, path) {
  const response = await postJson(path || (put ? "/api/presign-put" : "/api/presign"), {
    filename: file.name,
    size: file.size,
    content_type: file.type || "application/octet-stream",
  });
  if (response.status === 401) throw new Error("Your session has ended. Reload the page and sign in again.");
  let body = null;
  try { body = await response.json(); } catch (_) { /* not JSON */ }
  if (!response.ok) throw new Error((body && body.error) || `The server refused this file (HTTP ${response.status}).`);
  return body;
}

// Tells the server the upload arrived, so it is recorded. The file is stored either
// way: a failed confirmation is not an upload error.
// `path` overrides where (a guest link's own `/u/<token>/confirm`).
export async function confirm(key, path) {
  try {
    await postJson(path || "/api/uploads/confirm", { key });
  } catch (_) { /* recorded next time the list is read */ }
}
