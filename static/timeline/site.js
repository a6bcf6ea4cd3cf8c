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

  // Following a link to an event (a timeline mark, a permalink anchor) opens its detail;
  // a skip link only moves focus, and opens nothing on its way.
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target || !target.matches("article.event")) {
      return;
    }
    var details = target.querySelector("details");
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

  // Long facet lists (the actors) narrow as one types; without script the whole list is there.
  function narrow(input) {
    var words = input.value.trim().toLowerCase();
    input.closest("details").querySelectorAll(".options .option").forEach(function (option) {
      var hit = !words || option.textContent.toLowerCase().indexOf(words) !== -1;
      option.classList.toggle("narrowed-out", !hit && !option.querySelector("input").checked);
    });
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches(".narrow-input")) {
      event.stopPropagation();
      narrow(event.target);
    }
  }, true);
  document.addEventListener("change", function (event) {
    if (event.target.matches(".narrow-input")) {
      event.stopPropagation();
    }
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches(".narrow-input")) {
      event.preventDefault();
    }
  });

  // "Show N results" closes the filter panel on a phone and takes the reader to the results.
  var showAfterSwap = false;
  function goToResults() {
    var results = document.getElementById("results");
    if (results) {
      results.focus({ preventScroll: true });
      results.scrollIntoView({ block: "start" });
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".show-results");
    if (!button) {
      return;
    }
    var panel = button.closest("details.filter-panel");
    var summary = panel && panel.querySelector("summary");
    if (summary && window.getComputedStyle(summary).display !== "none") {
      panel.open = false;
      showAfterSwap = true;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (showAfterSwap && event.detail.target && event.detail.target.id === "results") {
      showAfterSwap = false;
      goToResults();
    }
  });

  // One button opens (or closes) every event and its citations.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".expand-all");
    if (!button) {
      return;
    }
    var open = button.getAttribute("aria-pressed") !== "true";
    document.querySelectorAll("#results article.event details").forEach(function (d) {
      d.open = open;
    });
    button.setAttribute("aria-pressed", open ? "true" : "false");
  });

  // What needs script stays hidden without it.
  function enhance() {
    document.querySelectorAll(".facet-narrow[hidden], .list-tools[hidden], .label-show[hidden]").forEach(function (el) {
      el.hidden = false;
    });
    document.querySelectorAll(".show-results .label-apply").forEach(function (el) {
      el.hidden = true;
    });
  }
  document.addEventListener("htmx:afterSettle", enhance);
  document.addEventListener("htmx:historyRestore", enhance);
  document.addEventListener("DOMContentLoaded", function () {
    enhance();
    openTarget();
  });
})();
