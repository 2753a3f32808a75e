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
    (invalid || message || row.querySelector("[data-save-row]") || row).focus();
  });

  form.addEventListener("submit", function () { window.removeEventListener("beforeunload", warn); });
  function warn(event) {
    if (form.querySelector("[data-dirty]")) { event.preventDefault(); event.returnValue = ""; }
  }
  window.addEventListener("beforeunload", warn);
})();
