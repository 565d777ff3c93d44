// "Copy" buttons: a button with data-copy="<id>" copies that element's text.
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = "Copied";
    } catch (_) {
      button.textContent = "Select the link and copy it";
    }
  });
}
