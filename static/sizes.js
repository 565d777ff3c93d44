// Sizes as the server writes them: 1000-based units with one decimal, and the
// sentence for a file over the limit.

export function human(bytes) {
  if (bytes < 1000) return bytes === 1 ? "1 byte" : bytes + " bytes";
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes, unit = -1;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return value.toFixed(1).replace(/\.0$/, "") + " " + units[unit];
}

// "is 1 MB; the limit is 1 MB." says nothing: when both round alike, give bytes.
export function tooLarge(file, limit) {
  const size = human(file.size), shown = human(limit);
  if (size !== shown) return `${file.name} is ${size}; the limit is ${shown}.`;
  const exact = (n) => n.toLocaleString("en-US") + " bytes";
  return `${file.name} is ${exact(file.size)}; the limit is ${exact(limit)}.`;
}

export function empty(file) {
  return `${file.name} is empty; choose a file with content.`;
}
