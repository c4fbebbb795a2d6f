// The ticket page's reply box: internal-note mode words, and the stale-reply warning's Cancel.
// Everything also works without this file: the server renders both states.
(function () {
  "use strict";

  function setMode(form) {
    var words = form.querySelector("[data-reply-words]");
    var checked = form.querySelector('input[name="kind"]:checked');
    if (!words || !checked) return;
    var note = checked.value === "note";
    var box = form.querySelector("#reply-body");
    var send = form.querySelector("[data-send]");
    var banner = form.querySelector("[data-note-banner]");
    if (box) box.placeholder = note ? words.dataset.notePlaceholder : words.dataset.replyPlaceholder;
    if (send) send.textContent = note ? words.dataset.noteLabel : words.dataset.replyLabel;
    if (banner) banner.hidden = !note;
    var section = form.closest(".reply-box");
    if (section) section.classList.toggle("is-note", note);
  }

  function init() {
    var form = document.getElementById("reply-form");
    if (form && !form.dataset.modeReady) {
      form.dataset.modeReady = "1";
      form.addEventListener("change", function (e) {
        if (e.target.name === "kind") setMode(form);
      });
      setMode(form);
    }
    document.querySelectorAll("[data-stale-cancel]").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        var warning = button.closest("[data-stale-warning]");
        if (warning) warning.hidden = true;
        var box = document.getElementById("reply-body");
        if (box) box.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
