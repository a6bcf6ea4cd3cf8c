// The cite screen: a selection in the article becomes the offsets of a passage.
// The article's text content is exactly the article, so an offset is the length of the
// text before a point, counted in code points as the server counts them.
"use strict";

// The admin's event autocomplete (select2) draws a combobox without a name; give it its label's,
// whenever select2 draws one (it may do so before or after the page's load event).
function nameAutocompletes() {
  document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
    const label = document.querySelector(`label[for="${select.id}"]`);
    const parts = select.parentElement.querySelectorAll("[role=combobox], [role=textbox]");
    parts.forEach(function (part) {
      if (label && !part.hasAttribute("aria-label")) {
        part.setAttribute("aria-label", label.textContent.replace(/:$/, ""));
      }
    });
  });
}
document.addEventListener("DOMContentLoaded", function () {
  nameAutocompletes();
  new MutationObserver(nameAutocompletes).observe(document.body, { childList: true, subtree: true });
});
window.addEventListener("load", nameAutocompletes);

(function () {
  const article = document.getElementById("article-text");
  const form = document.getElementById("cite-selection");
  if (!article || !form) {
    return;
  }
  const button = form.querySelector("button");
  const preview = document.getElementById("selection-preview");
  const startInput = document.getElementById("id_selection_start");
  const endInput = document.getElementById("id_selection_end");
  const total = Array.from(article.textContent).length;
  form.hidden = false;

  function offsetOf(node, offset) {
    if (!article.contains(node)) {
      const after = article.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING;
      return after ? total : 0;
    }
    const range = document.createRange();
    range.setStart(article, 0);
    range.setEnd(node, offset);
    return Array.from(range.toString()).length;
  }

  function chosen() {
    const selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) {
      return null;
    }
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(article)) {
      return null;
    }
    const start = offsetOf(range.startContainer, range.startOffset);
    const end = offsetOf(range.endContainer, range.endOffset);
    return end > start ? { start, end } : null;
  }

  function update() {
    const passage = chosen();
    button.disabled = passage === null;
    if (passage === null) {
      preview.textContent = "Select a passage in the article.";
      return;
    }
    startInput.value = passage.start;
    endInput.value = passage.end;
    const text = window.getSelection().toString().trim();
    const shown = text.length > 80 ? text.slice(0, 77) + "…" : text;
    preview.textContent = `Selected: “${shown}” (${text.length} characters)`;
  }

  document.addEventListener("selectionchange", update);
  update();
})();
