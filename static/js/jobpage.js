// The job page's socket. Each (re)connect hands the server the token of what the page shows
// (it sends a new one with every message), so it sends only what differs. A part it must
// replace keeps what the tutor was doing in it: typed text, a picked set, an open answer,
// what the last Save to set said, the focus and the caret; where the focused control is
// gone, the job's status takes focus.
(function () {
  "use strict";
  const connect = htmx.createWebSocket;
  htmx.createWebSocket = function (url) {
    const seen = document.getElementById("job-seen");
    const address = new URL(url);
    if (seen && seen.dataset.seen) address.searchParams.set("seen", seen.dataset.seen);
    return connect(address.toString());
  };

  function fields(root) {
    return Array.from(root.querySelectorAll("input[id], select[id], textarea[id]"));
  }

  // Where an element sits in its part: the nearest holder with an id, and its place there.
  function place(element, selector) {
    const holder = element.parentNode.closest("[id]");
    return [holder.id, Array.from(holder.querySelectorAll(selector)).indexOf(element)];
  }

  function at(where, selector) {
    const holder = document.getElementById(where[0]);
    return holder && holder.querySelectorAll(selector)[where[1]];
  }

  function changed(field) {
    if (field.type === "hidden") return false;
    if (field.tagName === "SELECT") {
      return Array.from(field.options).some(function (o) { return o.selected !== o.defaultSelected; });
    }
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    return field.value !== field.defaultValue;
  }

  let kept = null;  // what the tutor was doing in the part being swapped
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    const target = event.detail.target;
    if (!target || !target.id) return;
    const active = document.activeElement;
    kept = {
      id: target.id,
      values: fields(target).filter(changed).map(function (f) {
        return { id: f.id, value: f.value, checked: f.checked };
      }),
      open: Array.from(target.querySelectorAll("details[open]")).map(function (d) {
        return place(d, "details");
      }),
      said: Array.from(target.querySelectorAll(".save-status")).filter(function (s) {
        return s.innerHTML.trim();
      }).map(function (s) { return [place(s, ".save-status"), s.innerHTML]; }),
      focus: active && active.id && target.contains(active) ? active.id : null,
      hadFocus: Boolean(active && target.contains(active)),
      caret: active && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null,
    };
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    if (!kept) return;
    const state = kept;
    kept = null;
    state.values.forEach(function (saved) {
      const field = document.getElementById(saved.id);
      if (!field) return;
      field.value = saved.value;
      field.checked = saved.checked;
    });
    state.open.forEach(function (where) {
      const details = at(where, "details");
      if (details) details.open = true;
    });
    state.said.forEach(function (saved) {
      const status = at(saved[0], ".save-status");
      if (status && !status.innerHTML.trim()) status.innerHTML = saved[1];
    });
    const focus = state.focus && document.getElementById(state.focus);
    if (focus) {
      focus.focus({ preventScroll: true });
      if (state.caret && focus.setSelectionRange) {
        try { focus.setSelectionRange(state.caret[0], state.caret[1]); } catch (e) { /* not text */ }
      }
    } else if (state.hadFocus) {
      // What had focus is gone (Cancel, or the form to correct the classification): keep the
      // keyboard on the page, at the job's status, instead of losing it to the body.
      const status = document.getElementById("job-status");
      if (status) status.focus({ preventScroll: true });
    }
  });
})();
