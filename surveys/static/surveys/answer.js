// The answering page on a shared device: nothing of one respondent may reach the next.
(function () {
  "use strict";
  // A page restored from the back/forward cache would show the last person's choices.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-survey-form]").forEach(function (form) {
        form.reset();
      });
      window.location.reload();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) {
      target.focus();
    }
    // "Next respondent": replace this page in the history, so back does not return to it.
    document.querySelectorAll("[data-next-respondent]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        window.location.replace(link.href);
      });
    });
    document.querySelectorAll("form[data-survey-form]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector("button[type=submit]");
        if (button) {
          // A second tap while the first is on its way sends nothing more.
          window.setTimeout(function () { button.disabled = true; }, 0);
        }
      });
    });
  });
})();
