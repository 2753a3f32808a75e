// The status page: Enter saves the row you are in, unsaved rows are marked, and
// leaving with unsaved changes asks first. Everything works without this file.
(function () {
  "use strict";
  var form = document.getElementById("status-form");
  if (!form) return;

  function rowOf(element) { return element.closest("[data-status-row]"); }

  form.addEventListener("input", function (event) {
    var row = rowOf(event.target);
    if (row) row.setAttribute("data-dirty", "");
  });

  form.addEventListener("keydown", function (event) {
    // Only in a field: Enter on a link or button (the conflict's "keep theirs") does its own thing.
    if (event.key !== "Enter" || !/^(INPUT|SELECT)$/.test(event.target.tagName)) return;
    var row = rowOf(event.target);
    var button = row && row.querySelector("[data-save-row]");
    if (!button) return;
    event.preventDefault();
    button.click();
  });

  // After an inline save the row is new: put focus on its message, so a screen
  // reader says what happened and the keyboard stays in the row.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var row = event.detail.target && event.detail.target.id ? document.getElementById(event.detail.target.id) : null;
    if (!row) return;
    var invalid = row.querySelector("[aria-invalid='true']");
    var message = row.querySelector("[data-row-message]");
    (invalid || message || row.querySelector("[data-save-row]") || row).focus({ preventScroll: true });
    keepAboveBar(row);
  });

  // The sticky "Save all" bar covers the bottom of the window: a row's error or
  // conflict box (and its buttons) is scrolled up above it, whether it appears after
  // a save, after "Save all" or when the keyboard moves into it.
  var bar = form.querySelector(".sticky-actions");
  function keepAboveBar(element) {
    if (!bar || !element || getComputedStyle(bar).position !== "sticky") return;
    var limit = bar.getBoundingClientRect().top - 8;
    var box = element.getBoundingClientRect();
    if (box.bottom > limit) window.scrollBy(0, Math.min(box.bottom - limit, Math.max(box.top - 8, 0)));
  }
  form.addEventListener("focusin", function (event) {
    keepAboveBar(event.target.closest("[data-row-message]") || event.target);
  });
  var firstProblem = form.querySelector("[data-row-message], [aria-invalid='true']");
  if (firstProblem) {
    var problemRow = rowOf(firstProblem) || firstProblem;
    (problemRow.querySelector("[aria-invalid='true']") || firstProblem).focus({ preventScroll: true });
    problemRow.scrollIntoView({ block: "start" });
    keepAboveBar(problemRow);
  }

  form.addEventListener("submit", function () { window.removeEventListener("beforeunload", warn); });
  function warn(event) {
    if (form.querySelector("[data-dirty]")) { event.preventDefault(); event.returnValue = ""; }
  }
  window.addEventListener("beforeunload", warn);
})();
