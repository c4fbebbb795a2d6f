// The chat inbox (docs/live-chat.md): live messages, typing, canned responses and macros
// in the composer, the waiting list reloaded when the socket says something changed.
// Uses the agent socket that static/chat/badge.js opens for every workspace page.
(function () {
  "use strict";
  var root = document.querySelector("[data-chat-inbox]");
  if (!root) { return; }
  var chatId = root.dataset.chat ? parseInt(root.dataset.chat, 10) : null;
  var log = root.querySelector("[data-chat-log]");
  var typing = root.querySelector("[data-chat-typing]");
  var form = root.querySelector("[data-chat-compose]");
  var body = root.querySelector("[data-chat-body]");
  var status = root.querySelector("[data-chat-status]");
  var typingTimer = null;
  var lastTyping = 0;

  function send(frame) { if (window.helpdeskChat) { window.helpdeskChat.send(frame); } }

  function reloadList() {
    var url = root.dataset.listUrl + (chatId ? "?current=" + chatId : "");
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#chat-list");
        var old = document.getElementById("chat-list");
        if (fresh && old) { old.replaceWith(fresh); }
      }).catch(function () {});
  }

  function time(iso) {
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  // A file size in the page's language (Finnish: "9,9 kt"), as Django's filesizeformat.
  function humanSize(bytes) {
    var units = [["byte", 1], ["kilobyte", 1024], ["megabyte", 1024 * 1024]];
    var unit = bytes < 1024 ? units[0] : (bytes < 1024 * 1024 ? units[1] : units[2]);
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined, {
        style: "unit", unit: unit[0], unitDisplay: "short", maximumFractionDigits: 1
      }).format(bytes / unit[1]);
    } catch (e) {
      return (bytes / unit[1]).toFixed(unit[1] === 1 ? 0 : 1) + " " + ["B", "KB", "MB"][units.indexOf(unit)];
    }
  }

  // Files of a message: links to the ticket's download view (tickets.policy checks),
  // a thumbnail for raster images (served inline only when their bytes agree).
  function fileList(files) {
    var list = document.createElement("ul");
    list.className = "chat-files";
    files.forEach(function (f) {
      var entry = document.createElement("li");
      var link = document.createElement("a");
      link.href = f.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = f.name;
      if (f.image) {
        var img = document.createElement("img");
        img.src = f.url;
        img.alt = f.name;
        img.loading = "lazy";
        link.append(img);
      }
      var meta = document.createElement("span");
      meta.className = "small muted";
      meta.textContent = humanSize(f.size) + " \u00b7 " + f.type;
      entry.append(link, meta);
      list.append(entry);
    });
    return list;
  }

  function append(frame) {
    if (!log || log.querySelector('[data-id="' + frame.id + '"]')) { return; }
    var author = frame.author === "visitor" ? "customer" : frame.author;
    var item = document.createElement("li");
    item.className = "chat-msg chat-" + author;
    item.dataset.id = frame.id;
    var who = document.createElement("span");
    who.className = "chat-who";
    who.textContent = frame.name || (frame.author === "agent" ? root.dataset.you : "");
    item.append(who);
    if (frame.body) {
      var text = document.createElement("span");
      text.className = "chat-body";
      text.textContent = frame.body;
      item.append(text);
    }
    if (frame.files && frame.files.length) { item.append(fileList(frame.files)); }
    var at = document.createElement("time");
    at.className = "chat-at";
    at.dateTime = frame.at;
    at.textContent = time(frame.at);
    item.append(at);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  document.addEventListener("helpdesk:chat-open", function () {
    if (chatId) { send({ type: "subscribe", chat: chatId }); }
    if (status) { status.textContent = ""; }
  });
  document.addEventListener("helpdesk:chat-closed", function () {
    if (status) { status.textContent = root.dataset.offline; }
  });
  document.addEventListener("helpdesk:chat", function (event) {
    var frame = event.detail;
    if (frame.type === "inbox") { reloadList(); return; }
    if (frame.chat !== chatId) { return; }
    if (frame.type === "message") {
      append(frame);
      if (frame.author === "visitor") { typing.hidden = true; }
    } else if (frame.type === "typing" && frame.author === "visitor") {
      typing.textContent = root.dataset.visitorTyping;
      typing.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typing.hidden = true; }, 4000);
    } else if (frame.type === "joined") {
      // Taken (by this agent writing, or another): no more "Accept", the status is active.
      var accept = root.querySelector("[data-accept]");
      if (accept) { accept.closest("form").remove(); }
      var badge = root.querySelector("[data-chat-state]");
      if (badge) { badge.className = "badge chat-status-active"; badge.textContent = root.dataset.active; }
    } else if (frame.type === "ended") {
      if (form) { form.hidden = true; }
      typing.textContent = root.dataset.ended;
      typing.hidden = false;
    } else if (frame.type === "error" && status) {
      status.textContent = frame.detail || root.dataset.sendError;
    }
  });
  document.addEventListener("helpdesk:chat", function (event) {
    var frame = event.detail;
    if (frame.type === "error" && !frame.chat && status) { status.textContent = frame.detail; }
  });

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = body.value.trim();
      if (!text) { return; }
      send({ type: "message", chat: chatId, body: text });
      body.value = "";
      if (status) { status.textContent = ""; }
    });
    body.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    body.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTyping > 2000) { lastTyping = now; send({ type: "typing", chat: chatId }); }
    });
    var picker = root.querySelector("[data-chat-files]");
    if (picker) {
      // Files go over HTTP (POST /chats/<id>/files/), then come back on the socket.
      picker.addEventListener("change", function () {
        if (!picker.files.length) { return; }
        var data = new FormData();
        Array.prototype.forEach.call(picker.files, function (file) { data.append("attachments", file); });
        picker.value = "";
        if (status) { status.textContent = root.dataset.uploading; }
        var token = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
        fetch(root.dataset.uploadUrl, {
          method: "POST", credentials: "same-origin", body: data,
          headers: { "Accept": "application/json", "X-CSRFToken": token }
        }).then(function (r) { return r.json().catch(function () { return {}; }).then(function (b) { return { ok: r.ok, body: b }; }); })
          .then(function (result) {
            if (!status) { return; }
            if (result.ok) { status.textContent = ""; return; }
            var errors = result.body.errors || {};
            var field = Object.keys(errors)[0];
            status.textContent = field ? errors[field][0] : (result.body.error || root.dataset.uploadError);
          }).catch(function () { if (status) { status.textContent = root.dataset.uploadError; } });
      });
    }
    var canned = root.querySelector("[data-chat-canned]");
    if (canned) {
      canned.addEventListener("change", function () {
        var option = canned.selectedOptions[0];
        if (option && option.dataset.body) { body.value += (body.value ? "\n" : "") + option.dataset.body; body.focus(); }
        canned.value = "";
      });
    }
    var macro = root.querySelector("[data-chat-macro]");
    if (macro) {
      macro.addEventListener("change", function () {
        var id = parseInt(macro.value, 10);
        macro.value = "";
        if (!id) { return; }
        var token = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
        fetch(root.dataset.macroUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
          body: JSON.stringify({ macro: id, send_reply: false })
        }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
          .then(function (result) {
            if (result.ok && result.body.reply) { body.value += (body.value ? "\n" : "") + result.body.reply; body.focus(); }
            else if (!result.ok && status) { status.textContent = root.dataset.sendError; }
          }).catch(function () { if (status) { status.textContent = root.dataset.sendError; } });
      });
    }
  }
  if (log) { log.scrollTop = log.scrollHeight; }
  setInterval(reloadList, 30000);  // wait times move on
})();
