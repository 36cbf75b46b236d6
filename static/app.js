// Optional conveniences; every page works without this file.
// - the service worker is registered (the site installs as an app; see static/sw.js);
// - votes are sent in the background, so the page keeps its place;
// - forms marked data-confirm ask first (deleting);
// - opening "Reply" puts the cursor in the answer box;
// - on the new-post page, answered questions like the title are shown as it is typed (the
//   "Similar questions" button does the same without JavaScript).
(function () {
  "use strict";

  // Installable: the service worker keeps static assets and an offline page (never a page of
  // the site). Browsers allow it only in a secure context (https, or loopback).
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    if (!form.hasAttribute("data-vote") || !window.fetch) { return; }
    var button = event.submitter;
    if (!button || button.name !== "value") { return; }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form, button));
    window.fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (r) {
      if (r.type !== "opaqueredirect" && !r.ok) { throw new Error(String(r.status)); }
      update(form, parseInt(button.value, 10));
    }).catch(function () { form.submit(); });
  });

  // Shows the vote now in effect: `value` is what was sent (1, -1 or 0).
  function update(form, value) {
    var up = form.querySelector("button.up"), down = form.querySelector("button.down");
    var score = form.querySelector(".score");
    var before = up.classList.contains("on") ? 1 : (down.classList.contains("on") ? -1 : 0);
    var n = parseInt(score.textContent, 10) - before + value;
    score.textContent = String(n);
    [[up, 1], [down, -1]].forEach(function (pair) {
      var b = pair[0], v = pair[1], on = value === v;
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.value = on ? "0" : String(v);
    });
  }

  var title = document.querySelector("input[data-similar]");
  var live = document.getElementById("similar-live");
  if (title && live && window.fetch) {
    var timer = null, asked = "";
    title.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = title.value.trim();
        if (q.length < 4 || q === asked) { return; }
        asked = q;
        var group = title.getAttribute("data-similar");
        var url = "/api/v1/search/similar?title=" + encodeURIComponent(q) +
          (group ? "&group=" + encodeURIComponent(group) : "");
        window.fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (hits) { if (q === asked) { similar(hits); } })
          .catch(function () {});
      }, 400);
    });
  }

  // Lists answered questions and pages in the live box (text only: titles are never read as
  // markup).
  function similar(hits) {
    live.textContent = "";
    live.hidden = hits.length === 0;
    if (live.hidden) { return; }
    var h = document.createElement("h2");
    h.textContent = "Answered questions and pages like yours";
    live.appendChild(h);
    var list = document.createElement("ul");
    list.className = "plain";
    hits.forEach(function (hit) {
      var item = document.createElement("li"), link = document.createElement("a");
      link.href = hit.path;
      link.textContent = hit.title;
      item.appendChild(link);
      list.appendChild(item);
    });
    live.appendChild(list);
  }

  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (d.classList && d.classList.contains("reply-inline") && d.open) {
      var t = d.querySelector("textarea");
      if (t) { t.focus(); }
    }
  }, true);
})();
