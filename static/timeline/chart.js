// The interactive chart over the server-drawn SVG (timeline/listing/chart.py draws and bins it).
// Zoom and pan ask the server for the chart of another window (/timeline/?…&view=…);
// a range dragged on the axis, an era band or a dated cluster sets the filter form and
// submits it, so the URL, the list and the counts change as with any other filter.
(function () {
  "use strict";

  var DAY = 86400000;
  var MIN_DAYS = 7;
  var LEFT = 0.02;
  var RIGHT = 0.98;
  var restoreDay = null;
  var restoreFocus = false;
  var restoreTool = null;
  var gesture = null;
  var pointers = new Map();
  var suppressClick = false;
  var wheel = null;
  var range = null;

  function figure() {
    return document.getElementById("chart");
  }
  function toDay(text) {
    return Date.parse(text + "T00:00:00Z");
  }
  function iso(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }
  // The window as [start, end) in milliseconds, and the whole story's span.
  function windowOf(fig) {
    return {
      start: toDay(fig.dataset.start),
      end: toDay(fig.dataset.end) + DAY,
      first: toDay(fig.dataset.first),
      last: toDay(fig.dataset.last) + DAY
    };
  }
  // The layout the chart's width shows: wide or narrow (the other is not displayed).
  function svgOf(fig) {
    var all = Array.from(fig.querySelectorAll("svg"));
    return all.find(function (svg) { return svg.getBoundingClientRect().width > 0; }) || all[0];
  }
  function plotOf(fig) {
    var box = svgOf(fig).getBoundingClientRect();
    return { box: box, left: box.left + box.width * LEFT, width: box.width * (RIGHT - LEFT) };
  }
  function dateAt(fig, clientX) {
    var w = windowOf(fig);
    var plot = plotOf(fig);
    return w.start + ((clientX - plot.left) / plot.width) * (w.end - w.start);
  }
  // Two groups take one tab stop each, and arrows move within them: the marks, and the axis's ticks.
  var GROUPS = [".chart-item", ".chart-tick"];
  function items(fig, group) {
    return Array.from(svgOf(fig).querySelectorAll(group || ".chart-item"));
  }
  function currentItem(fig) {
    return svgOf(fig).querySelector(".chart-item[tabindex='0']");
  }

  // Zoom and pan -----------------------------------------------------------------

  function show(start, end) {
    var fig = figure();
    var w = windowOf(fig);
    var days = Math.max(Math.round((end - start) / DAY), MIN_DAYS);
    start = Math.round(start / DAY) * DAY;
    end = start + days * DAY;
    // The whole story: the address without a window, unless that is the filtered events' own span.
    if (start <= w.first && end >= w.last) {
      load(fig.dataset.fitted ? iso(w.first) + ".." + iso(w.last - DAY) : "");
      return;
    }
    load(iso(start) + ".." + iso(end - DAY));
  }

  function zoom(factor, centre) {
    var w = windowOf(figure());
    if (centre === undefined) {
      centre = (w.start + w.end) / 2;
    }
    show(centre - (centre - w.start) * factor, centre + (w.end - centre) * factor);
  }

  function pan(fraction) {
    var w = windowOf(figure());
    var shift = (w.end - w.start) * fraction;
    show(w.start + shift, w.end + shift);
  }

  function load(view) {
    var fig = figure();
    var params = new URLSearchParams(window.location.search);
    params.delete("after");
    if (view) {
      params.set("view", view);
    } else {
      params.delete("view");
    }
    var query = params.toString() ? "?" + params.toString() : "";
    var input = document.getElementById("id_view");
    if (input) {
      input.value = view;
    }
    window.history.replaceState(window.history.state, "", window.location.pathname + query + window.location.hash);
    var current = currentItem(fig);
    restoreDay = current ? current.dataset.day : null;
    restoreFocus = fig.contains(document.activeElement);
    restoreTool = document.activeElement.matches(".chart-tools a") ? document.activeElement.textContent : null;
    fig.setAttribute("aria-busy", "true");
    // htmx's own request; the figure's hx-sync="this:replace" drops a window the reader has already left,
    // a 400 still draws the rest of the state (base.html's responseHandling), and afterSettle sets it up.
    htmx.ajax("GET", fig.dataset.src + query, { source: fig, target: fig, swap: "outerHTML" });
  }

  function failed(event) {
    var stale = figure();
    if (stale && event.target === stale) {
      stale.removeAttribute("aria-busy");
      plotFeedback(stale, "");
    }
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  function plotFeedback(fig, transform) {
    var group = svgOf(fig).querySelector(".chart-plot");
    if (transform) {
      group.setAttribute("transform", transform);
    } else {
      group.removeAttribute("transform");
    }
  }

  // Filters through the form --------------------------------------------------------

  function submitFilters(change) {
    var form = document.getElementById("filter-form");
    if (!form) {
      return false;
    }
    change(form);
    restoreFocus = figure().contains(document.activeElement);
    form.requestSubmit();
    return true;
  }

  function chooseDates(from, to) {
    return submitFilters(function (form) {
      form.elements.from.value = from;
      form.elements.to.value = to;
    });
  }

  function chooseEra(slug) {
    var boxes = Array.from(document.querySelectorAll("#filter-form input[name='era']"));
    if (!boxes.some(function (box) { return box.value === slug; })) {
      return false;
    }
    return submitFilters(function () {
      boxes.forEach(function (box) {
        box.checked = box.value === slug;
      });
    });
  }

  function openEvent(slug) {
    var article = document.getElementById(slug);
    if (!article || !article.matches("article.event")) {
      return false;
    }
    var details = article.querySelector("details");
    if (details) {
      details.open = true;
    }
    if (window.location.hash !== "#" + slug) {
      window.history.pushState(window.history.state, "", "#" + slug);
    }
    article.scrollIntoView({ block: "start" });
    var summary = article.querySelector("summary");
    if (summary) {
      summary.focus({ preventScroll: true });
    }
    return true;
  }

  // An SVG link's `href` is an SVGAnimatedString, not a URL: read the attribute for both kinds.
  function follow(link) {
    var action = link.dataset.action;
    var params = new URL(link.getAttribute("href"), window.location.href).searchParams;
    if (action === "window") {
      load(params.get("view") || "");
      return true;
    }
    if (action === "era") {
      return chooseEra(link.dataset.era);
    }
    if (action === "dates") {
      return chooseDates(link.dataset.from !== undefined ? link.dataset.from : params.get("from") || "",
        link.dataset.to !== undefined ? link.dataset.to : params.get("to") || "");
    }
    if (link.dataset.slug) {
      return openEvent(link.dataset.slug);
    }
    return false;
  }

  document.addEventListener("click", function (event) {
    var fig = figure();
    if (!fig || !fig.contains(event.target)) {
      return;
    }
    if (suppressClick) {
      suppressClick = false;
      event.preventDefault();
      return;
    }
    var link = event.target.closest("a[href]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && follow(link)) {
      event.preventDefault();
    }
  });

  // Keyboard: one tab stop, arrows move, + and − zoom, Shift and arrows choose dates --------

  function focusItem(fig, item, group) {
    items(fig, group).forEach(function (other) {
      other.setAttribute("tabindex", "-1");
      other.classList.remove("current");
    });
    item.setAttribute("tabindex", "0");
    item.classList.add("current");
    item.focus();
  }

  function showRange(fig) {
    var rect = fig.querySelector(".chart-brushing");
    if (!range) {
      if (rect) {
        rect.remove();
      }
      return;
    }
    var lo = Math.min(range.from, range.to);
    var hi = Math.max(range.from, range.to) + DAY;
    var w = windowOf(fig);
    var span = w.end - w.start;
    var x0 = LEFT + (RIGHT - LEFT) * (lo - w.start) / span;
    var x1 = LEFT + (RIGHT - LEFT) * (hi - w.start) / span;
    brushRect(fig, x0 * 100 + "%", Math.max(x1 - x0, 0.003) * 100 + "%");
  }

  function brushRect(fig, x, width) {
    var svg = svgOf(fig);
    var rect = svg.querySelector(".chart-brushing");
    if (!rect) {
      rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      rect.setAttribute("class", "chart-brushing");
      rect.setAttribute("y", "0");
      rect.setAttribute("height", svg.querySelector(".axis").getAttribute("y1"));
      svg.querySelector(".chart-plot").appendChild(rect);
    }
    rect.setAttribute("x", x);
    rect.setAttribute("width", width);
  }

  document.addEventListener("keydown", function (event) {
    var fig = figure();
    if (!fig || !fig.contains(event.target) || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var group = GROUPS.find(function (selector) { return event.target.closest(selector); });
    var list = group ? items(fig, group) : [];
    var current = group ? event.target.closest(group) : null;
    var index = current ? list.indexOf(current) : -1;
    var key = event.key;
    var next = null;
    if (key === "ArrowRight" || key === "ArrowDown") {
      next = list[Math.min(index + 1, list.length - 1)];
    } else if (key === "ArrowLeft" || key === "ArrowUp") {
      next = list[Math.max(index - 1, 0)];
    } else if (key === "Home" && current) {
      next = list[0];
    } else if (key === "End" && current) {
      next = list[list.length - 1];
    } else if (key === "+" || key === "=") {
      zoom(1 / 3, current ? toDay(current.dataset.day) + DAY / 2 : undefined);
    } else if (key === "-" || key === "_" || key === "\u2212") {
      zoom(3, current ? toDay(current.dataset.day) + DAY / 2 : undefined);
    } else if (key === "PageUp") {
      pan(-0.5);
    } else if (key === "PageDown") {
      pan(0.5);
    } else if (key === "Escape" && range) {
      range = null;
      showRange(fig);
    } else {
      return;
    }
    event.preventDefault();
    if (!next) {
      return;
    }
    if (event.shiftKey && current && group === ".chart-item") {
      if (!range) {
        range = { from: toDay(current.dataset.day) };
      }
      range.to = toDay(next.dataset.day);
    }
    focusItem(fig, next, group);
    showRange(fig);
  });

  document.addEventListener("keyup", function (event) {
    var fig = figure();
    if (event.key !== "Shift" || !range || !fig || !fig.contains(event.target)) {
      return;
    }
    var lo = Math.min(range.from, range.to);
    var hi = Math.max(range.from, range.to);
    range = null;
    chooseDates(iso(lo), iso(hi));
  });

  // Mouse, pen and touch: drag to pan, pinch to zoom, drag along the axis to choose dates ------

  function axisTop(fig) {
    var svg = svgOf(fig);
    return svg.getBoundingClientRect().top + Number(svg.querySelector(".chart-brush").getAttribute("y"));
  }

  // The pointer is captured once it drags, not when it goes down: a captured click is
  // aimed at the svg, and a mark, label, cluster or band under the pointer never hears it.
  function capture(svg, pointerId) {
    try {
      svg.setPointerCapture(pointerId);
    } catch (ignored) {
      // Synthetic pointers cannot be captured; the document still hears them.
    }
  }

  document.addEventListener("pointerdown", function (event) {
    var fig = figure();
    var svg = fig && event.target.closest && event.target.closest("#chart svg");
    if (!svg || event.button > 0) {
      return;
    }
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.size === 2) {
      var points = Array.from(pointers.values());
      gesture = {
        kind: "pinch",
        distance: Math.max(Math.abs(points[0].x - points[1].x), 10),
        centre: (points[0].x + points[1].x) / 2,
        scale: 1,
        moved: true
      };
      pointers.forEach(function (ignored, id) {
        capture(svg, id);
      });
      return;
    }
    if (pointers.size > 2) {
      return;
    }
    gesture = {
      kind: event.clientY >= axisTop(fig) ? "brush" : "pan",
      x0: event.clientX,
      x: event.clientX,
      moved: false,
      svg: svg
    };
    if (event.pointerType !== "touch") {
      event.preventDefault();
    }
  });

  document.addEventListener("pointermove", function (event) {
    if (!gesture || !pointers.has(event.pointerId)) {
      return;
    }
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    var fig = figure();
    var plot = plotOf(fig);
    if (gesture.kind === "pinch") {
      var points = Array.from(pointers.values());
      if (points.length < 2) {
        return;
      }
      gesture.scale = Math.max(Math.abs(points[0].x - points[1].x), 10) / gesture.distance;
      var cx = gesture.centre - plot.box.left;
      plotFeedback(fig, "translate(" + cx + " 0) scale(" + gesture.scale + " 1) translate(" + -cx + " 0)");
      return;
    }
    gesture.x = event.clientX;
    if (!gesture.moved && Math.abs(gesture.x - gesture.x0) > 4) {
      gesture.moved = true;
      capture(gesture.svg, event.pointerId);
    }
    if (!gesture.moved) {
      return;
    }
    if (gesture.kind === "pan") {
      svgOf(fig).classList.add("panning");
      plotFeedback(fig, "translate(" + (gesture.x - gesture.x0) + " 0)");
    } else {
      var lo = Math.min(gesture.x0, gesture.x) - plot.box.left;
      brushRect(fig, lo, Math.abs(gesture.x - gesture.x0));
    }
  });

  function endGesture(event) {
    if (!pointers.has(event.pointerId)) {
      return;
    }
    pointers.delete(event.pointerId);
    var done = gesture;
    if (!done || (done.kind === "pinch" && pointers.size > 0 && event.type === "pointercancel")) {
      return;
    }
    gesture = null;
    var fig = figure();
    svgOf(fig).classList.remove("panning");
    if (event.type === "pointercancel" || !done.moved) {
      plotFeedback(fig, "");
      range = null;
      showRange(fig);
      return;
    }
    suppressClick = true;
    window.setTimeout(function () {
      suppressClick = false;
    }, 0);
    var w = windowOf(fig);
    var plot = plotOf(fig);
    if (done.kind === "pinch") {
      var centre = dateAt(fig, done.centre);
      zoom(1 / done.scale, centre);
    } else if (done.kind === "pan") {
      var shift = ((done.x0 - done.x) / plot.width) * (w.end - w.start);
      show(w.start + shift, w.end + shift);
    } else {
      var from = dateAt(fig, Math.min(done.x0, done.x));
      var to = dateAt(fig, Math.max(done.x0, done.x));
      chooseDates(iso(Math.max(from, w.start)), iso(Math.min(to, w.end - DAY)));
    }
  }
  document.addEventListener("pointerup", endGesture);
  document.addEventListener("pointercancel", endGesture);

  // Ctrl (or ⌘) and the wheel zoom; a sideways wheel pans. A plain wheel scrolls the page.
  document.addEventListener(
    "wheel",
    function (event) {
      var fig = figure();
      if (!fig || !event.target.closest || !event.target.closest("#chart svg")) {
        return;
      }
      var sideways = Math.abs(event.deltaX) > Math.abs(event.deltaY);
      if (!(event.ctrlKey || event.metaKey) && !sideways) {
        return;
      }
      event.preventDefault();
      if (!wheel) {
        wheel = { scale: 1, shift: 0, at: event.clientX };
      }
      var plot = plotOf(fig);
      if (sideways) {
        wheel.shift += event.deltaX;
        plotFeedback(fig, "translate(" + -wheel.shift + " 0)");
      } else {
        wheel.scale *= Math.exp(-event.deltaY / 300);
        var cx = wheel.at - plot.box.left;
        plotFeedback(fig, "translate(" + cx + " 0) scale(" + wheel.scale + " 1) translate(" + -cx + " 0)");
      }
      window.clearTimeout(wheel.timer);
      wheel.timer = window.setTimeout(function () {
        var done = wheel;
        wheel = null;
        if (done.shift) {
          pan(done.shift / plot.width);
        } else {
          zoom(1 / done.scale, dateAt(fig, done.at));
        }
      }, 200);
    },
    { passive: false }
  );

  // Each new chart (page load, filter swap, zoom) becomes one tab stop.
  function setup(fig) {
    if (!fig || fig.dataset.ready) {
      return;
    }
    fig.dataset.ready = "true";
    var keys = fig.querySelector("#chart-keys");
    if (keys) {
      keys.hidden = false;
    }
    // Tools and era bands are tab stops of their own; the marks and the ticks one each, in each layout.
    fig.querySelectorAll("svg").forEach(function (svg) {
      GROUPS.forEach(function (group) {
        var list = Array.from(svg.querySelectorAll(group));
        var target = list[0];
        if (restoreDay && group === ".chart-item") {
          list.forEach(function (item) {
            if (item.dataset.day <= restoreDay) {
              target = item;
            }
          });
        }
        list.forEach(function (item) {
          item.setAttribute("tabindex", item === target ? "0" : "-1");
          item.classList.toggle("current", item === target);
        });
      });
    });
    if (restoreFocus) {
      var tool = restoreTool && Array.from(fig.querySelectorAll(".chart-tools a")).find(function (link) {
        return link.textContent === restoreTool;
      });
      var target = tool || currentItem(fig) || fig.querySelector(".chart-tools a");
      if (target) {
        target.focus({ preventScroll: true });
      }
    }
    restoreFocus = false;
    restoreDay = null;
    restoreTool = null;
    if (fig.dataset.refine) {
      load(new URLSearchParams(window.location.search).get("view") || "");
    }
  }

  document.addEventListener("htmx:beforeSwap", function () {
    var fig = figure();
    if (fig && fig.contains(document.activeElement)) {
      restoreFocus = true;
      var current = currentItem(fig);
      restoreDay = current ? current.dataset.day : null;
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    setup(figure());
  });
  document.addEventListener("htmx:historyRestore", function () {
    setup(figure());
  });
  document.addEventListener("DOMContentLoaded", function () {
    setup(figure());
  });
})();
