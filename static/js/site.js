// Behaviour every page shares, kept out of the HTML for the Content-Security-Policy
// (script-src 'self': no inline scripts or on…= attributes).
(function () {
  "use strict";

  // The language menu changes the language as soon as a language is chosen; without
  // JavaScript the <noscript> button submits it.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.id === "language-select") {
      select.form.requestSubmit();
    }
  });
})();
