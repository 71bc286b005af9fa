// The drop zone: a dragged file, a pasted screenshot or the file picker all
// end up in the one file input, so the form posts them the same way.
(function () {
  "use strict";
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("id_image");
  const name = document.getElementById("dropzone-name");
  if (!zone || !input) return;

  function take(file) {
    if (!file) return;
    const files = new DataTransfer();
    files.items.add(file);
    input.files = files.files;
    name.textContent = "Ready: " + (file.name || "pasted screenshot") +
      " (" + Math.ceil(file.size / 1024) + " KB)";
  }

  input.addEventListener("change", function () { take(input.files[0]); });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    take(event.dataTransfer.files[0]);
  });
  document.addEventListener("paste", function (event) {
    const items = Array.from(event.clipboardData ? event.clipboardData.items : []);
    const image = items.find(function (item) { return item.type.startsWith("image/"); });
    if (image) {
      event.preventDefault();
      const file = image.getAsFile();
      take(new File([file], "pasted-screenshot.png", { type: file.type }));
    }
  });
  zone.dataset.ready = "true";  // the listeners are in place (tests wait for this)
})();
