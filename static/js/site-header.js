// The site header on a narrow screen: the menu and the tools fold behind a "Menu" button
// (a disclosure: aria-expanded says whether the panel is open). Without this script the
// button stays hidden and the panel open. Also: a select marked data-submit-on-change
// (the language choice) sends its form when it changes — no inline handlers, for the CSP.
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 48rem)");

  function setUp(header) {
    var button = header.querySelector(".site-header__menu-button");
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) return;

    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      panel.classList.toggle("is-folded", !open);
    }

    header.classList.add("site-header--foldable");
    show(!NARROW.matches);
    NARROW.addEventListener("change", function () { show(!NARROW.matches); });
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && NARROW.matches && button.getAttribute("aria-expanded") === "true") {
        show(false);
        button.focus();
      }
    });
  }

  function init() {
    document.querySelectorAll(".site-header").forEach(function (header) {
      if (header.querySelector(".site-header__menu-button")) setUp(header);
    });
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
