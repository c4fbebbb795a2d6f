// The reply box's additions (docs/replies.md): formatting marks, files picked, dropped or
// pasted, checked here before upload with the server's own limits and messages. The
// server checks again; everything works without this script (plain file input).
(function () {
  "use strict";

  function box() { return document.getElementById("reply-body"); }

  function changed(textarea) {
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  // Wrap the selection (or insert a sample) in Markdown marks.
  function wrap(textarea, before, after, sample) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var text = textarea.value.slice(start, end) || sample;
    textarea.setRangeText(before + text + after, start, end, "end");
    textarea.selectionStart = start + before.length;
    textarea.selectionEnd = start + before.length + text.length;
    changed(textarea);
  }

  // Prefix every selected line ("- " or "1. ").
  function prefixLines(textarea, numbered) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = textarea.selectionEnd;
    var lines = value.slice(start, end).split("\n");
    var out = lines.map(function (line, i) { return (numbered ? (i + 1) + ". " : "- ") + line; });
    textarea.setRangeText(out.join("\n"), start, end, "end");
    changed(textarea);
  }

  function format(kind, button) {
    var textarea = box();
    if (!textarea) return;
    if (kind === "bold") wrap(textarea, "**", "**", "");
    else if (kind === "italic") wrap(textarea, "*", "*", "");
    else if (kind === "ul") prefixLines(textarea, false);
    else if (kind === "ol") prefixLines(textarea, true);
    else if (kind === "link") {
      var url = window.prompt(button.dataset.linkPrompt, "https://");
      if (url) wrap(textarea, "[", "](" + url + ")", url);
    }
  }

  function formatSize(bytes) {
    var lang = document.documentElement.lang || undefined;
    var zone = document.querySelector("[data-units]");
    var units = (zone ? zone.dataset.units : "B KB MB GB").split(" "), i = 0, n = bytes;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return new Intl.NumberFormat(lang, { maximumFractionDigits: i ? 1 : 0 }).format(n) + " " + units[i];
  }

  function setupFiles(zone) {
    if (zone.dataset.ready) return;
    zone.dataset.ready = "1";
    var input = zone.querySelector('input[type="file"]');
    var list = zone.querySelector("[data-file-list]");
    var error = zone.querySelector("[data-file-error]");
    var forbidden = (zone.dataset.forbidden || "").split(" ");
    var kept = [];  // the files that will be sent, in order

    function say(template, name, size) {
      error.textContent = template.replace("{name}", name).replace("{size}", size || "");
      error.hidden = false;
    }

    function refusal(file, total) {
      var ext = file.name.indexOf(".") >= 0 ? file.name.split(".").pop().toLowerCase() : "";
      if (forbidden.indexOf(ext) >= 0) return [zone.dataset.msgProgram, file.name];
      if (file.size > Number(zone.dataset.perFile)) return [zone.dataset.msgTooLarge, file.name, formatSize(file.size)];
      if (total > Number(zone.dataset.perMessage)) return [zone.dataset.msgTooMuch, file.name, formatSize(total)];
      if (kept.length >= Number(zone.dataset.maxFiles)) return [zone.dataset.msgTooMany, file.name];
      return null;
    }

    function sync() {
      var transfer = new DataTransfer();
      kept.forEach(function (f) { transfer.items.add(f); });
      input.files = transfer.files;
      list.replaceChildren();
      kept.forEach(function (file, index) {
        var item = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = file.name + " ";
        var size = document.createElement("span");
        size.className = "muted";
        size.textContent = formatSize(file.size) + " · " + (file.type || "?");
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "linklike";
        remove.textContent = zone.dataset.msgRemove;
        remove.addEventListener("click", function () { kept.splice(index, 1); sync(); });
        item.append(name, size, " ", remove);
        list.append(item);
      });
    }

    // Add files; a refused one is named in the error and left out, the others stay.
    function add(files) {
      error.hidden = true;
      var total = kept.reduce(function (sum, f) { return sum + f.size; }, 0);
      Array.prototype.forEach.call(files, function (file) {
        var why = refusal(file, total + file.size);
        if (why) { say(why[0], why[1], why[2]); return; }
        kept.push(file);
        total += file.size;
      });
      sync();
      return kept;
    }
    zone.addFiles = add;

    input.addEventListener("change", function () {
      var picked = Array.prototype.slice.call(input.files);
      add(picked);
    });
    var form = zone.closest("form");
    form.addEventListener("dragover", function (e) {
      if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0) {
        e.preventDefault();
        form.classList.add("is-dropping");
      }
    });
    form.addEventListener("dragleave", function () { form.classList.remove("is-dropping"); });
    form.addEventListener("drop", function (e) {
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      e.preventDefault();
      form.classList.remove("is-dropping");
      add(e.dataTransfer.files);
    });
    // A pasted image becomes an attachment, shown in the text where it was pasted.
    var textarea = box();
    if (textarea) textarea.addEventListener("paste", function (e) {
      var items = (e.clipboardData && e.clipboardData.items) || [];
      var images = Array.prototype.filter.call(items, function (i) { return i.kind === "file" && /^image\//.test(i.type); });
      if (!images.length) return;
      e.preventDefault();
      images.forEach(function (item, n) {
        var blob = item.getAsFile();
        var ext = (item.type.split("/")[1] || "png").replace("jpeg", "jpg");
        var name = "pasted-" + Date.now() + (n ? "-" + n : "") + "." + ext;
        var file = new File([blob], name, { type: item.type });
        var before = kept.length;
        add([file]);
        if (kept.length > before) wrap(textarea, "![" + name + "](cid:" + name + ")", "", "");
      });
    });
  }

  function init() {
    document.querySelectorAll("[data-md]").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.addEventListener("click", function () { format(button.dataset.md, button); });
    });
    document.querySelectorAll("[data-compose-files]").forEach(setupFiles);
    var textarea = box();
    if (textarea && !textarea.dataset.composeKeys) {
      textarea.dataset.composeKeys = "1";
      textarea.addEventListener("keydown", function (e) {
        if (!(e.ctrlKey || e.metaKey)) return;
        if (e.key === "b") { e.preventDefault(); format("bold"); }
        if (e.key === "i") { e.preventDefault(); format("italic"); }
      });
    }
    // CC/BCC only mean something for a public reply.
    var form = document.getElementById("reply-form");
    if (form && !form.dataset.composeKind) {
      form.dataset.composeKind = "1";
      var copies = form.querySelector("[data-public-only]");
      var update = function () {
        var note = form.querySelector('input[name="kind"]:checked');
        if (copies) copies.hidden = !!note && note.value === "note";
      };
      form.addEventListener("change", update);
      update();
    }
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSwap", init);
})();
