// The drop zone: a dragged file, a pasted screenshot or the file picker all
// end up in the one file input, so the form posts them the same way.
(function () {
  "use strict";
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("id_image");
  const name = document.getElementById("dropzone-name");
  const preview = document.getElementById("dropzone-preview");
  if (!zone || !input) return;
  const maxBytes = Number(input.dataset.maxBytes);
  const types = input.accept.split(",").map(function (type) { return type.trim(); });

  // Refuse what the server would refuse before uploading it, and say why.
  function problem(file) {
    if (types.indexOf(file.type) < 0) {
      return file.name + " is not a PNG, JPEG, WebP or GIF image.";
    }
    if (maxBytes && file.size > maxBytes) {
      return file.name + " is " + (file.size / 1048576).toFixed(1) + " MB; the limit is " +
        Math.round(maxBytes / 1048576) + " MB. Crop the screenshot to the question.";
    }
    return "";
  }

  function take(file) {
    if (!file) return;
    if (preview.src) URL.revokeObjectURL(preview.src);
    const refused = problem(file);
    name.classList.toggle("errorlist", Boolean(refused));
    name.setAttribute("role", refused ? "alert" : "status");
    preview.hidden = Boolean(refused);
    if (refused) {
      input.value = "";
      preview.removeAttribute("src");
      name.textContent = refused;
      return;
    }
    if (input.files[0] !== file) {
      const files = new DataTransfer();
      files.items.add(file);
      input.files = files.files;
    }
    preview.src = URL.createObjectURL(file);
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
