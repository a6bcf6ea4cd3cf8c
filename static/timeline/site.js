// Small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // Printing shows every event's citations, so open all details first.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.printing-closed, details:not([open])").forEach(function (d) {
      d.classList.add("printing-closed");
      d.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details.printing-closed").forEach(function (d) {
      d.classList.remove("printing-closed");
      d.open = false;
    });
  });

  // Following a link to an event (an overview mark, a permalink anchor) opens its detail.
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    var details = target && target.querySelector("details");
    if (details) {
      details.open = true;
    }
  }
  window.addEventListener("hashchange", openTarget);

  // Filter links stay short: empty fields are left out of htmx requests and pushed URLs.
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (!data) {
      return;
    }
    Array.from(data.keys()).forEach(function (key) {
      if (data.getAll(key).every(function (value) { return value === ""; })) {
        data.delete(key);
      }
    });
  });
  document.addEventListener("DOMContentLoaded", openTarget);
})();
