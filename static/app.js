// Optional conveniences; every page works without this file.
// - the service worker is registered (the site installs as an app; see static/sw.js);
// - votes are sent in the background, so the page keeps its place;
// - forms marked data-confirm ask first (deleting);
// - opening "Reply" puts the cursor in the answer box;
// - on the new-post page, answered questions like the title are shown as it is typed (the
//   "Similar questions" button does the same without JavaScript);
// - a picture dropped on or pasted into a text box that has a file field beside it is
//   uploaded at once, its alt text asked for, and its markdown put where the cursor is (the
//   file field and its "Attach" button do the same without JavaScript).
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

  // Pictures dropped or pasted into a compose box.
  Array.prototype.forEach.call(document.querySelectorAll("form textarea[name=body]"), function (box) {
    var form = box.form, field = form && form.querySelector("input[type=file][name=file]");
    if (!field || !window.fetch || !window.FormData) { return; }
    var csrf = form.querySelector("input[name=csrf]");
    var altField = form.querySelector("input[name=alt]");
    var altLabel = altField && form.querySelector("label[for='" + altField.id + "']");
    function files(list) {
      return Array.prototype.filter.call(list || [], function (f) { return f && f.size > 0; });
    }
    function upload(file) {
      // The alt text: what the field beside says, or asked for now.
      var alt = altField && altField.value.trim() ? altField.value :
        window.prompt(altLabel ? altLabel.textContent : "Alt text", "");
      if (altField) { altField.value = ""; }
      var body = new FormData();
      body.append("csrf", csrf ? csrf.value : "");
      body.append("alt", alt || "");
      body.append("file", file, file.name || "pasted.png");
      box.setAttribute("aria-busy", "true");
      window.fetch("/media/upload", { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (m) { insert("\n\n" + m.markdown + "\n\n"); })
        .catch(function (e) { window.alert(e.message); })
        .then(function () { box.removeAttribute("aria-busy"); });
    }
    function insert(text) {
      var at = box.selectionStart, end = box.selectionEnd;
      box.value = box.value.slice(0, at) + text + box.value.slice(end);
      box.selectionStart = box.selectionEnd = at + text.length;
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    box.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
      }
    });
    box.addEventListener("drop", function (event) {
      var dropped = files(event.dataTransfer && event.dataTransfer.files);
      if (dropped.length === 0) { return; }
      event.preventDefault();
      dropped.forEach(upload);
    });
    box.addEventListener("paste", function (event) {
      var pasted = files(event.clipboardData && event.clipboardData.files);
      if (pasted.length === 0) { return; }
      event.preventDefault();
      pasted.forEach(upload);
    });
  });

  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (d.classList && d.classList.contains("reply-inline") && d.open) {
      var t = d.querySelector("textarea");
      if (t) { t.focus(); }
    }
  }, true);
})();
