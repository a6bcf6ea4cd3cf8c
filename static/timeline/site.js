// Small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // An event's statements and citations load the first time its entry opens: htmx swaps its part
  // (details[data-part]) in for the link to the event's page. One listener serves every listing, so
  // that htmx has no element per event to set up when the page starts (50 of them cost it 15-60 ms).
  // The list's hx-vals (the searched words) go with the request.
  function pendingPart(details) {
    return details.matches && details.matches("details[data-part]")
      ? details.querySelector(":scope > .event-detail[data-pending]") : null;
  }
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    var pending = pendingPart(details);
    if (details.open && pending && window.htmx && !details.classList.contains("htmx-request")) {
      window.htmx.ajax("GET", details.dataset.part, { source: details, target: pending, swap: "outerHTML" });
    }
  }, true);
  // Printing shows every event's part (site.css prints closed details open), so those not loaded yet
  // are fetched first, and synchronously: the page is laid out for print when this handler returns.
  function partUrl(details) {
    var url = new URL(details.dataset.part, window.location.href);
    var carrier = details.closest("[hx-vals]");
    var values = carrier ? JSON.parse(carrier.getAttribute("hx-vals")) : {};
    Object.keys(values).forEach(function (name) { url.searchParams.set(name, values[name]); });
    return url.href;
  }
  function loadNow(details) {
    var pending = pendingPart(details);
    if (!pending) {
      return;
    }
    var request = new XMLHttpRequest();
    try {
      request.open("GET", partUrl(details), false);
      request.setRequestHeader("HX-Request", "true");
      request.send();
    } catch (error) {
      return;  // printed with the link to the event's page instead
    }
    if (request.status === 200) {
      pending.outerHTML = request.responseText;
    }
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details[data-part]").forEach(loadNow);
  });

  // A long facet (the actors, when none is chosen) comes closed and empty, with a link to a page of its
  // options; the first time it opens they load into it, for the state in the address (facets.py).
  function loadOptions(details) {
    var pending = details.querySelector(".options-pending");
    if (!pending || details.dataset.loading || !window.fetch) {
      return;
    }
    details.dataset.loading = "true";
    var url = new URL(details.dataset.options, window.location.href);
    url.search = window.location.search;
    url.searchParams.delete("after");
    window.fetch(url.href, { headers: { "HX-Request": "true" } }).then(function (response) {
      if (!response.ok && response.status !== 400) {  // a state with a problem: every event's counts, as the page's
        throw new Error(response.status);
      }
      return response.text();
    }).then(function (html) {
      pending.parentNode.innerHTML = html;
      applyCounts();
      var input = details.querySelector(".narrow-input");
      if (input && input.value) {
        narrow(input);
      }
    }).catch(function () {
      // the link stays: it leads to the same options
    }).finally(function () {
      delete details.dataset.loading;
    });
  }
  function loadOpenOptions() {
    document.querySelectorAll("details[data-options][open]").forEach(loadOptions);
  }
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.open && details.matches && details.matches("details[data-options]")) {
      loadOptions(details);
    }
  }, true);
  document.addEventListener("htmx:historyRestore", loadOpenOptions);
  document.addEventListener("DOMContentLoaded", loadOpenOptions);

  // After a filter change the response carries every option's count (chronology.html#facet_counts),
  // written here into each one the page shows.
  function applyCounts() {
    var data = document.getElementById("facet-counts");
    var counts = data && data.dataset.counts ? JSON.parse(data.dataset.counts) : {};
    Object.keys(counts).forEach(function (name) {
      Object.keys(counts[name]).forEach(function (slug) {
        var count = document.getElementById("n-" + name + "-" + slug);
        if (count && count.firstChild) {
          count.firstChild.nodeValue = String(counts[name][slug]);
          count.classList.toggle("zero", !counts[name][slug]);
        }
      });
    });
  }
  document.addEventListener("htmx:afterSettle", applyCounts);

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
  document.addEventListener("DOMContentLoaded", openTarget);

  // History while searching: the first request of a burst of typing pushes one entry and the
  // rest of the burst replace it, so Back returns to the state before the search, not to each
  // letter. A settled query (a change, a submit, a ticked filter) pushes its own entry, unless
  // it only settles the words just typed, whose entry already exists.
  var typing = false;
  function historyMode(form, triggering) {
    var fromTyping = triggering && triggering.target && triggering.target.dataset &&
      triggering.target.dataset.history === "typing";
    var replace;
    if (triggering && triggering.type === "input" && fromTyping) {
      replace = typing;
      typing = true;
    } else {
      replace = typing && (fromTyping || triggering == null || triggering.type === "submit");
      typing = false;
    }
    form.setAttribute("hx-push-url", replace ? "false" : "true");
    form.setAttribute("hx-replace-url", replace ? "true" : "false");
  }
  document.addEventListener("htmx:historyRestore", function () { typing = false; });

  // Back or Forward to an entry of this page that htmx did not make (a followed timeline mark's
  // "#slug") can bring an address with other filters and no load: the chart's window replaces the
  // entry it changes, not the ones before it. htmx restores only its own entries, so where the
  // address no longer says what the form shows, the page loads it, as htmx does on a history miss.
  function stateOf(pairs) {
    return Array.from(pairs).filter(function (pair) {
      return pair[1] !== "" && pair[0] !== "after";
    }).map(function (pair) { return pair[0] + "=" + pair[1]; }).sort().join("&");
  }
  window.addEventListener("popstate", function (event) {
    var form = document.getElementById("filter-form");
    if (!form || (event.state && event.state.htmx)) {
      return;
    }
    if (stateOf(new FormData(form)) !== stateOf(new URLSearchParams(window.location.search))) {
      window.location.reload();
    }
  });

  // One state, one request: Enter in the search box fires "change" and then "submit", the box's
  // delayed trigger fires after both, and leaving the box fires "change" for words already sent.
  // The form queues a request made while one is on its way (hx-sync "queue last": cancelling the
  // answer on its way left the page on the old state), and a request for the state just asked for
  // is dropped (after a timeline zoom it brought the old window back). A failed one may be retried.
  var lastSent = window.location.search.replace(/^\?/, "");
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function () { lastSent = null; });
  });
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.id !== "filter-form") {
      return;
    }
    var triggering = event.detail.triggeringEvent;
    var state = new URLSearchParams(event.detail.formData).toString();
    if (state === lastSent) {
      event.preventDefault();
      if (!triggering || triggering.type !== "input") {
        typing = false;  // the words just typed are settled: the next search gets its own entry
      }
      if (showAfterSwap && !form.classList.contains("htmx-request")) {
        showAfterSwap = false;  // the results already show this state: go to them now
        goToResults();
      }
      return;
    }
    lastSent = state;
    historyMode(form, triggering);
  });

  // Copy buttons (the embed code, a ready citation): shown only where the script runs.
  function copyText(button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentElement.querySelector(".copy-status");
    var text = source.value !== undefined ? source.value : source.textContent.trim();
    function done(message) {
      if (status) {
        status.textContent = message;
      }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done("Copied."); }, function () {
        done("Could not copy; select the text and copy it.");
      });
    } else {
      if (source.select) {
        source.select();
      }
      done(document.execCommand && document.execCommand("copy") ? "Copied." : "Select the text and copy it.");
    }
  }
  function showCopyButtons(root) {
    root.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
    root.querySelectorAll(".cite-copy").forEach(addCiteButton);
  }
  // A quote's citation to paste (events.html#cite_copy) is a disclosure without the script; with it, a
  // button copies it in one click. Its name says which quote: "[2]" after a footnote's number.
  function addCiteButton(row) {
    var text = row.querySelector(".cite-text p[id]");
    if (!text || row.querySelector("button.copy")) {
      return;
    }
    var number = row.closest("li") && row.closest("li").querySelector(".footnote-number");
    var button = document.createElement("button");
    var which = document.createElement("span");
    var status = document.createElement("span");
    button.type = "button";
    button.className = "copy";
    button.dataset.copy = text.id;
    button.textContent = "Copy the citation";
    which.className = "visually-hidden";
    which.textContent = number ? " " + number.textContent : " of this passage";
    button.appendChild(which);
    status.className = "copy-status";
    status.setAttribute("role", "status");
    row.insertBefore(status, row.firstChild);
    row.insertBefore(button, status);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.copy[data-copy]");
    if (button) {
      copyText(button);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { showCopyButtons(document); });
  document.addEventListener("htmx:afterSettle", function () { showCopyButtons(document); });  // swaps, "more"

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

  // One button opens (or closes) every event and its citations; its words say what it will do:
  // "Collapse all citations" once every event is open, however they were opened.
  function eventDetails() {
    return Array.prototype.slice.call(document.querySelectorAll("#results article.event > details"));
  }
  function allOpen() {
    var details = eventDetails();
    return details.length > 0 && details.every(function (d) { return d.open; });
  }
  function labelExpandAll() {
    var button = document.querySelector("#results .expand-all");
    if (button) {
      var open = allOpen();
      button.textContent = open ? "Collapse all citations" : "Expand all citations";
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".expand-all");
    if (!button) {
      return;
    }
    var open = !allOpen();
    eventDetails().forEach(function (d) {
      d.open = open;
    });
    labelExpandAll();
  });
  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("article.event > details")) {
      labelExpandAll();
    }
  }, true);  // "toggle" does not bubble
  document.addEventListener("htmx:afterSettle", labelExpandAll);

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
