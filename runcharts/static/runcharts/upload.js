// Shows how far a large upload has got. htmx posts the form and reports progress; without JavaScript the
// form posts normally and this file does nothing.
const progressFor = (event) => event.target.closest("form")?.parentElement?.querySelector("[data-upload-progress]");

document.addEventListener("htmx:xhr:loadstart", (event) => {
  const progress = progressFor(event);
  if (progress) {
    progress.hidden = false;
    progress.value = 0;
  }
});

document.addEventListener("htmx:xhr:progress", (event) => {
  const progress = progressFor(event);
  if (progress && event.detail.lengthComputable && event.detail.total > 0) {
    progress.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    progress.textContent = `${progress.value}%`;
  }
});
