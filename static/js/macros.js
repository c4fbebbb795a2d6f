// The macro picker of the ticket page. M (or the "Apply macro" button) opens it; type to
// filter, ↑ ↓ to choose, Enter to preview; in the preview Enter applies (the focused
// button) and "Back" returns to the list. Applying is an ordinary form POST: the field
// changes and the note are saved, and the macro's reply joins the draft in the reply box.
(function () {
  "use strict";

  function typingIn(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  function setup() {
    var dialog = document.getElementById("macro-picker");
    var opener = document.querySelector("[data-macro-open]");
    if (!dialog || !opener || dialog.dataset.ready) return;
    dialog.dataset.ready = "1";
    var search = dialog.querySelector("[data-macro-search]");
    var choose = dialog.querySelector("[data-macro-choose]");
    var preview = dialog.querySelector("[data-macro-preview]");
    var empty = dialog.querySelector("[data-macro-empty]");
    var options = Array.prototype.slice.call(dialog.querySelectorAll("[data-macro-option]"));

    function shown() {
      return options.filter(function (o) { return !o.hidden; });
    }
    function current() {
      return shown().filter(function (o) { return o.getAttribute("aria-selected") === "true"; })[0];
    }
    function activate(option) {
      options.forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
      if (option) {
        search.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      } else {
        search.removeAttribute("aria-activedescendant");
      }
    }
    function filter() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      options.forEach(function (o) {
        var text = o.textContent.toLowerCase();
        o.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
      var list = shown();
      empty.hidden = list.length > 0;
      activate(list[0] || null);
    }
    function move(step) {
      var list = shown();
      if (!list.length) return;
      var i = list.indexOf(current());
      i = i === -1 ? 0 : Math.min(Math.max(i + step, 0), list.length - 1);
      activate(list[i]);
    }
    function showList() {
      preview.innerHTML = "";
      choose.hidden = false;
      search.focus();
    }
    function showPreview(option) {
      if (!option) return;
      fetch(option.dataset.previewUrl, { credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.text();
        })
        .then(function (html) {
          preview.innerHTML = html;  // rendered and escaped by the server's templates
          choose.hidden = true;
          var confirm = preview.querySelector("[data-macro-confirm]");
          (confirm && !confirm.disabled ? confirm : preview.querySelector("[data-macro-back]")).focus();
        })
        .catch(function () {
          preview.textContent = dialog.dataset.errorText || "Error";
        });
    }
    function open() {
      search.value = "";
      filter();
      preview.innerHTML = "";
      choose.hidden = false;
      dialog.showModal();
      search.focus();
    }

    opener.addEventListener("click", open);
    document.addEventListener("keydown", function (e) {
      if (e.key !== "m" && e.key !== "M") return;
      if (dialog.open || typingIn(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      e.preventDefault();
      open();
    });
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Home" && !search.value) { e.preventDefault(); activate(shown()[0]); }
      else if (e.key === "End" && !search.value) { e.preventDefault(); activate(shown().slice(-1)[0]); }
      else if (e.key === "Enter") { e.preventDefault(); showPreview(current()); }
    });
    options.forEach(function (o) {
      o.addEventListener("click", function () { activate(o); showPreview(o); });
      o.addEventListener("mousemove", function () { if (current() !== o) activate(o); });
    });
    preview.addEventListener("click", function (e) {
      if (e.target.closest("[data-macro-back]")) showList();
    });
    preview.addEventListener("keydown", function (e) {
      if (e.key === "Backspace" && !typingIn(e.target)) { e.preventDefault(); showList(); }
    });
    // The agent's unsent draft travels with the apply, so the macro's reply joins it.
    preview.addEventListener("submit", function (e) {
      var form = e.target.closest("[data-macro-apply]");
      var box = document.getElementById("reply-body");
      if (form && box) form.querySelector("[data-macro-draft]").value = box.value;
    });
  }

  document.addEventListener("DOMContentLoaded", setup);
})();
