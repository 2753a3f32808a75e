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

  // --- A session that ended while someone typed (qualityplan/sessions.py) -----------
  // Nothing leaves the page until the session is known to be alive: a form post asks
  // /session/alive/ first, an htmx save that gets a 401 leaves its row as it was. In
  // both cases a dialog offers a login in a new tab and then sends the same thing again.
  var dialog = document.getElementById("session-ended");
  if (!dialog) return;
  var aliveUrl = dialog.getAttribute("data-alive-url");
  var retry = null;
  // The session can only have ended once the idle time has passed since the server
  // last heard from this page, or its lifetime is over. The server notes a request
  // up to a minute late, hence the margin. Before that, a post goes straight out.
  var MARGIN = 90 * 1000;
  var idle = Number(dialog.getAttribute("data-idle-seconds")) * 1000;
  var endsAt = Date.now() + Number(dialog.getAttribute("data-seconds-left")) * 1000;
  var lastContact = Date.now();
  function mayHaveEnded() {
    var now = Date.now();
    return now - lastContact >= idle - MARGIN || now >= endsAt - MARGIN;
  }

  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // A login (in another tab) gives a new CSRF token: the page's copies must follow.
  function refreshTokens() {
    var token = csrfCookie();
    if (!token) return;
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (field) {
      field.value = token;
    });
  }

  function showDialog(again) {
    retry = again;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector("[data-session-login]").focus();
  }

  dialog.querySelector("[data-session-close]").addEventListener("click", function () {
    dialog.close();
  });
  dialog.querySelector("[data-session-retry]").addEventListener("click", function () {
    dialog.close();
    refreshTokens();
    if (retry) retry();
  });

  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = csrfCookie();
    if (!token) return;
    event.detail.headers["X-CSRFToken"] = token;
    if (event.detail.parameters.csrfmiddlewaretoken) event.detail.parameters.csrfmiddlewaretoken = token;
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status && status !== 401) lastContact = Date.now();
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status !== 401) return;
    var element = event.detail.elt;
    showDialog(function () { element.click(); });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") return;
    if (form.getAttribute("data-session-checked") === "yes") {
      form.removeAttribute("data-session-checked");
      return;
    }
    if (form.hasAttribute("data-no-session-check") || !mayHaveEnded()) return;
    event.preventDefault();
    event.stopPropagation();
    var submitter = event.submitter;
    function send() {
      lastContact = Date.now();
      refreshTokens();
      form.setAttribute("data-session-checked", "yes");
      if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
    }
    fetch(aliveUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) {
          showDialog(function () { submitter ? submitter.click() : form.requestSubmit(); });
        } else {
          send();
        }
      })
      .catch(send);
  }, true);
})();
