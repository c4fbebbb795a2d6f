// Small progressive enhancements for the agent workspace. Everything works without it.
(function () {
  "use strict";

  // "/" focuses the search box from anywhere (unless typing in a field).
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName);
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey) {
      var box = document.getElementById("global-search");
      if (box) { e.preventDefault(); box.focus(); box.select(); }
    }
    // Ctrl/Cmd+Enter in the reply box sends it.
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && t.id === "reply-body") {
      e.preventDefault();
      t.form.querySelector('button[value="send"]').click();
    }
  });

  function init(root) {
    // Bulk selection on the ticket list.
    var bulk = document.getElementById("bulk-form");
    if (bulk && !bulk.dataset.ready) {
      bulk.dataset.ready = "1";
      var label = bulk.querySelector("[data-selected-count]");
      var idle = label.textContent;
      var update = function () {
        var n = bulk.querySelectorAll('input[name="ids"]:checked').length;
        label.textContent = n ? (n + " ✓") : idle;
      };
      bulk.addEventListener("change", function (e) {
        if (e.target.matches("[data-select-all]")) {
          bulk.querySelectorAll('input[name="ids"]').forEach(function (c) { c.checked = e.target.checked; });
        }
        if (e.target.matches("[data-bulk-action]")) {
          bulk.querySelectorAll("[data-bulk-for]").forEach(function (el) {
            var on = el.dataset.bulkFor === e.target.value;
            el.hidden = !on; el.disabled = !on;
          });
        }
        update();
      });
    }
    // Canned responses: insert the (already filled) text at the cursor.
    (root.querySelectorAll ? root : document).querySelectorAll("[data-canned]").forEach(function (select) {
      if (select.dataset.ready) return;
      select.dataset.ready = "1";
      select.addEventListener("change", function () {
        var option = select.selectedOptions[0];
        var box = document.getElementById("reply-body");
        if (!option || !option.dataset.body || !box) return;
        var start = box.selectionStart, end = box.selectionEnd;
        box.value = box.value.slice(0, start) + option.dataset.body + box.value.slice(end);
        box.focus();
        box.selectionStart = box.selectionEnd = start + option.dataset.body.length;
        select.value = "";
        markTyping();
      });
    });
    // Internal notes look different while being written.
    var form = document.getElementById("reply-form");
    if (form && !form.dataset.ready) {
      form.dataset.ready = "1";
      form.addEventListener("change", function (e) {
        if (e.target.name === "kind") {
          form.closest(".reply-box").classList.toggle("is-note", e.target.value === "note");
        }
      });
      form.querySelector("[data-typing]").addEventListener("input", markTyping);
    }
    // "Show images" of one email: reload its frame under the policy that allows remote images.
    document.querySelectorAll("button[data-show-images]").forEach(function (b) {
      if (b.dataset.ready) return;
      b.dataset.ready = "1";
      b.addEventListener("click", function () {
        var frame = document.getElementById(b.getAttribute("aria-controls"));
        if (frame) frame.src = b.dataset.showImages;
        var notice = b.closest("[data-remote-images]");
        if (notice) notice.hidden = true;
      });
    });
    // "Print" buttons (no inline handlers: the page's CSP forbids them).
    document.querySelectorAll("button[data-print]").forEach(function (b) {
      if (b.dataset.ready) return;
      b.dataset.ready = "1";
      b.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      if (f.dataset.ready) return;
      f.dataset.ready = "1";
      f.addEventListener("submit", function (e) { if (!window.confirm(f.dataset.confirm)) e.preventDefault(); });
    });
  }

  // The presence poll reports "typing" for 15 s after the last keystroke.
  var typingTimer = null;
  function markTyping() {
    var flag = document.getElementById("typing-flag");
    if (!flag) return;
    flag.value = "1";
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { flag.value = "0"; }, 15000);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();

// j / k move between tickets in the list, Enter opens the focused one (a link).
document.addEventListener("keydown", function (e) {
  var t = e.target;
  if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key !== "j" && e.key !== "k") return;
  var links = Array.prototype.slice.call(document.querySelectorAll("table.tickets td.subject a"));
  if (!links.length) return;
  var i = links.indexOf(document.activeElement);
  i = e.key === "j" ? Math.min(i + 1, links.length - 1) : Math.max(i - 1, 0);
  links[i].focus();
  e.preventDefault();
});
