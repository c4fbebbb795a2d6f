/*
 * Helpdesk chat widget. Paste into any page:
 *   <script src="https://support.example.com/static/widget/widget.js" async></script>
 * It adds a "Chat with us" button. While agents are available the visitor chats live
 * (a websocket to the helpdesk); otherwise the message becomes a ticket answered by
 * email. The conversation survives reloads and navigation: its signed token is kept
 * in this site's localStorage until the chat is over. Labels come from the helpdesk
 * in the visitor's language. No dependencies. Frames: docs/live-chat.md.
 */
(function () {
  "use strict";
  if (window.__helpdeskWidget) { return; }
  window.__helpdeskWidget = true;

  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : location.origin;
  var endpoint = (script && script.dataset.endpoint) || origin + "/support/chat/";
  var language = (script && script.dataset.language) || document.documentElement.lang || navigator.language || "";
  var STORE = "helpdesk-chat:" + origin;
  // Close codes the server uses for a token that can never work again.
  var DEAD_TOKEN = [4401, 4404, 4408];

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;background:#1f3a5f;color:#fff;border:0;border-radius:999px;padding:12px 20px;font-size:15px;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.2)}",
    ".launcher:focus-visible,button:focus-visible,input:focus,textarea:focus{outline:3px solid #8fb3de;outline-offset:1px}",
    ".panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:360px;max-width:calc(100vw - 40px);background:#fff;color:#1f2933;border:1px solid #dde3ea;border-radius:10px;box-shadow:0 10px 30px rgba(0,0,0,.18);padding:16px;display:flex;flex-direction:column;max-height:calc(100vh - 100px)}",
    ".panel[hidden]{display:none}",
    ".head{display:flex;justify-content:space-between;align-items:center;margin:0 0 10px}",
    "h2{font-size:16px;margin:0}",
    ".close{background:none;border:0;font-size:20px;line-height:1;cursor:pointer;color:#616e7c}",
    "label{display:block;font-size:13px;font-weight:600;margin:8px 0 3px}",
    "input,textarea{width:100%;padding:8px 10px;border:1px solid #c3ccd6;border-radius:6px;font-size:14px;color:#1f2933;background:#fff}",
    "textarea{min-height:72px;resize:vertical}",
    ".hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}",
    ".send{margin-top:10px;width:100%;background:#1f3a5f;color:#fff;border:0;border-radius:6px;padding:10px;font-size:15px;font-weight:600;cursor:pointer}",
    ".send[disabled]{opacity:.6;cursor:wait}",
    ".status{font-size:13px;margin:8px 0 0;color:#52606d;min-height:1em}",
    ".error{color:#b42318}",
    ".note{font-size:14px;margin:0 0 6px;color:#52606d}",
    ".done{font-size:15px;margin:8px 0}",
    ".log{list-style:none;margin:0;padding:4px 2px;overflow-y:auto;flex:1;min-height:180px;max-height:340px;display:flex;flex-direction:column;gap:6px}",
    ".msg{max-width:82%;padding:7px 10px;border-radius:10px;font-size:14px;line-height:1.35;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".msg small{display:block;font-size:11px;font-weight:600;color:#616e7c;margin-bottom:2px}",
    ".visitor{align-self:flex-end;background:#1f3a5f;color:#fff}.visitor small{color:#cfdced}",
    ".agent{align-self:flex-start;background:#eef1f4}",
    ".system{align-self:center;background:none;color:#616e7c;font-size:13px;text-align:center}",
    ".typing{font-size:12px;color:#616e7c;min-height:16px;margin:4px 0}",
    ".compose{display:flex;gap:6px;align-items:flex-end}.compose textarea{min-height:44px;height:44px;flex:1}",
    ".compose .send{width:auto;margin:0;padding:10px 14px}",
    ".end{background:none;border:0;color:#b42318;font-size:13px;cursor:pointer;padding:4px 0;align-self:flex-start;text-decoration:underline}",
    ".rating{border-top:1px solid #dde3ea;margin-top:8px;padding-top:8px}",
    ".scores{display:flex;gap:6px;margin:6px 0}.scores button{flex:1;padding:8px 0;border:1px solid #c3ccd6;border-radius:6px;background:#fff;font-size:15px;cursor:pointer;color:#1f2933}",
    ".scores button[aria-pressed=true]{background:#1f3a5f;color:#fff;border-color:#1f3a5f}",
    ".attach{background:#fff;color:#1f3a5f;border:1px solid #c3ccd6;border-radius:6px;padding:10px;cursor:pointer;line-height:0}",
    ".attach[disabled]{opacity:.6;cursor:wait}",
    ".picker{display:none}",
    ".files{list-style:none;margin:4px 0 0;padding:0;display:flex;flex-direction:column;gap:4px;white-space:normal}",
    ".files a{color:inherit;font-weight:600;text-decoration:underline;overflow-wrap:anywhere}",
    ".files span{display:block;font-size:11px;opacity:.8}",
    ".files img{display:block;max-width:180px;max-height:140px;border-radius:6px;margin-top:3px;background:#fff}"
  ].join("\n");

  var DEFAULT_LABELS = {
    open: "Chat with us", title: "Chat with us", name: "Your name", email: "Your email address",
    message: "How can we help?", start: "Start chat", send: "Send", close: "Close", sending: "Sending…",
    placeholder: "Write a message…", waiting: "Waiting for an agent to join…",
    joined: "%(name)s joined the chat.", typing: "%(name)s is typing…", agent: "Agent", you: "You",
    ended: "The chat has ended. Thank you!", end: "End chat", offline_title: "Leave us a message",
    offline: "Nobody is available to chat right now. Leave a message and we will reply by email.",
    closed: "We are closed right now, so nobody can chat. Leave a message and we will reply by email.",
    offline_thanks: "Thank you! Your reference is %(reference)s. We will reply by email.",
    comment: "Anything to add? (optional)", rate: "Send rating", rated: "Thank you for your feedback!",
    error: "Sorry, your message could not be sent. Please try again.",
    reconnecting: "Connection lost. Reconnecting…",
    attach: "Attach files", uploading: "Uploading…", upload_error: "The file could not be sent. Please try again."
  };

  // A paperclip drawn as SVG: emoji fonts are not everywhere.
  function paperclip() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    [["viewBox", "0 0 24 24"], ["width", "18"], ["height", "18"], ["fill", "none"], ["stroke", "currentColor"],
     ["stroke-width", "2"], ["stroke-linecap", "round"], ["stroke-linejoin", "round"], ["aria-hidden", "true"]]
      .forEach(function (a) { svg.setAttribute(a[0], a[1]); });
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9");
    svg.appendChild(path);
    return svg;
  }

  // A file size in the page's language (Finnish: "9,9 kt"), as Django's filesizeformat.
  function humanSize(bytes) {
    var units = [["byte", 1], ["kilobyte", 1024], ["megabyte", 1024 * 1024]];
    var unit = bytes < 1024 ? units[0] : (bytes < 1024 * 1024 ? units[1] : units[2]);
    try {
      return new Intl.NumberFormat(language || undefined, {
        style: "unit", unit: unit[0], unitDisplay: "short", maximumFractionDigits: 1
      }).format(bytes / unit[1]);
    } catch (e) {
      return (bytes / unit[1]).toFixed(unit[1] === 1 ? 0 : 1) + " " + ["B", "KB", "MB"][units.indexOf(unit)];
    }
  }

  // The first error of a refused request: {"errors": {field: [text]}} or {"error": text}.
  function firstError(body, fallback) {
    var errors = (body && body.errors) || {};
    var field = Object.keys(errors)[0];
    return field ? errors[field][0] : ((body && body.error) || fallback);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function headers(json) {
    var h = { "Accept": "application/json" };
    if (json) { h["Content-Type"] = "application/json"; }
    if (language) { h["Accept-Language"] = language; }
    return h;
  }

  function load() { try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { return null; } }
  function save(value) { try { if (value) { localStorage.setItem(STORE, JSON.stringify(value)); } else { localStorage.removeItem(STORE); } } catch (e) { /* private mode */ } }

  function build(config) {
    var labels = Object.assign({}, DEFAULT_LABELS, config.labels || {});
    var host = el("div", { "id": "helpdesk-widget" });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    // A constructed stylesheet is not an inline <style>, so a host page whose CSP forbids
    // inline styles (ours does) still styles the widget; older browsers get the element.
    if (root !== host && window.CSSStyleSheet && "adoptedStyleSheets" in root) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el("style", {}, CSS));
    }

    var launcher = el("button", { "class": "launcher", "type": "button", "aria-expanded": "false",
                                  "aria-controls": "hd-panel" }, labels.open);
    var panel = el("div", { "class": "panel", "id": "hd-panel", "role": "dialog", "aria-label": labels.title });
    panel.hidden = true;
    var head = el("div", { "class": "head" });
    var title = el("h2", {}, config.online ? labels.title : labels.offline_title);
    head.appendChild(title);
    var close = el("button", { "class": "close", "type": "button", "aria-label": labels.close }, "×");
    head.appendChild(close);
    panel.appendChild(head);
    var body = el("div", {});
    panel.appendChild(body);

    function toggle(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      if (open) { var first = panel.querySelector("input:not([type=hidden]),textarea"); if (first) { first.focus(); } }
    }
    launcher.addEventListener("click", function () { toggle(panel.hidden); });
    close.addEventListener("click", function () { toggle(false); launcher.focus(); });
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { toggle(false); launcher.focus(); } });

    // -- the first message (or the offline message) -----------------------------------
    function showForm() {
      body.textContent = "";
      title.textContent = config.online ? labels.title : labels.offline_title;
      var form = el("form", { "novalidate": "" });
      if (!config.online) {
        // Outside the team's chat hours, or nobody available: the message becomes an email ticket.
        var why = config.offline_reason === "closed" && labels.closed ? labels.closed : labels.offline;
        form.appendChild(el("p", { "class": "note" }, why));
      }
      var known = config.customer;
      [["name", "text", labels.name], ["email", "email", labels.email]].forEach(function (f) {
        if (known) {
          form.appendChild(el("input", { "type": "hidden", "name": f[0], "value": known[f[0]] || "" }));
          return;
        }
        form.appendChild(el("label", { "for": "hd-" + f[0] }, f[2]));
        form.appendChild(el("input", { "id": "hd-" + f[0], "name": f[0], "type": f[1], "required": "", "autocomplete": f[0] }));
      });
      form.appendChild(el("label", { "for": "hd-message" }, labels.message));
      form.appendChild(el("textarea", { "id": "hd-message", "name": "message", "required": "" }));
      var hp = el("div", { "class": "hp", "aria-hidden": "true" });
      hp.appendChild(el("input", { "name": "website", "tabindex": "-1", "autocomplete": "off" }));
      form.appendChild(hp);
      var send = el("button", { "class": "send", "type": "submit" }, config.online ? labels.start : labels.send);
      form.appendChild(send);
      var status = el("p", { "class": "status", "role": "status", "aria-live": "polite" });
      form.appendChild(status);
      body.appendChild(form);

      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var data = {};
        ["name", "email", "message", "website"].forEach(function (n) { data[n] = form.elements[n].value; });
        send.disabled = true;
        status.className = "status";
        status.textContent = labels.sending;
        fetch(endpoint, { method: "POST", headers: headers(true), body: JSON.stringify(data) })
          .then(function (response) {
            return response.json().then(function (b) { return { ok: response.ok, body: b }; });
          })
          .then(function (result) {
            if (!result.ok) {
              var errors = result.body.errors || {};
              var first = Object.keys(errors)[0];
              throw new Error(first ? errors[first][0] : (result.body.error || labels.error));
            }
            if (result.body.offline) {
              body.textContent = "";
              body.appendChild(el("p", { "class": "done", "role": "status" },
                labels.offline_thanks.replace("%(reference)s", result.body.ticket || "")));
              return;
            }
            var state = { token: result.body.token, socket: result.body.socket, ticket: result.body.ticket };
            save(state);
            startChat(state);
          })
          .catch(function (error) {
            status.className = "status error";
            status.textContent = error && error.message ? error.message : labels.error;
            send.disabled = false;
          });
      });
    }

    // -- the live conversation ------------------------------------------------------------
    function startChat(state) {
      body.textContent = "";
      title.textContent = labels.title;
      var log = el("ol", { "class": "log", "aria-live": "polite" });
      var typing = el("p", { "class": "typing" }, labels.waiting);
      var compose = el("form", { "class": "compose", "novalidate": "" });
      var input = el("textarea", { "aria-label": labels.placeholder, "placeholder": labels.placeholder, "maxlength": "4000" });
      var send = el("button", { "class": "send", "type": "submit" }, labels.send);
      // Files go over HTTP (POST /support/chat/<token>/files/), then come back on the socket.
      var picker = el("input", { "class": "picker", "type": "file", "multiple": "", "tabindex": "-1", "aria-hidden": "true" });
      var attach = el("button", { "class": "attach", "type": "button", "aria-label": labels.attach, "title": labels.attach });
      attach.appendChild(paperclip());
      compose.appendChild(input);
      compose.appendChild(picker);
      compose.appendChild(attach);
      compose.appendChild(send);
      var end = el("button", { "class": "end", "type": "button" }, labels.end);
      var status = el("p", { "class": "status", "role": "status" });
      [log, typing, compose, end, status].forEach(function (n) { body.appendChild(n); });

      var socket = null;
      var retry = 1000;
      var over = false;
      var agentName = labels.agent;
      var typingTimer = null;
      var lastTyping = 0;
      var seen = {};

      function line(cls, text, who, files) {
        var item = el("li", { "class": "msg " + cls });
        if (who) { item.appendChild(el("small", {}, who)); }
        if (text) { item.appendChild(document.createTextNode(text)); }
        if (files && files.length) {
          var list = el("ul", { "class": "files" });
          files.forEach(function (f) {
            var entry = el("li", {});
            var link = el("a", { "href": origin + f.url, "target": "_blank", "rel": "noopener noreferrer" }, f.name);
            // A thumbnail only on the helpdesk's own pages: files are served same-origin only.
            if (f.image && location.origin === origin) {
              link.appendChild(el("img", { "src": origin + f.url, "alt": f.name, "loading": "lazy" }));
            }
            entry.appendChild(link);
            entry.appendChild(el("span", {}, humanSize(f.size) + " \u00b7 " + f.type));
            list.appendChild(entry);
          });
          item.appendChild(list);
        }
        log.appendChild(item);
        log.scrollTop = log.scrollHeight;
      }
      function put(frame) { if (socket && socket.readyState === 1) { socket.send(JSON.stringify(frame)); } }

      function finish() {
        over = true;
        compose.remove();
        end.remove();
        typing.textContent = "";
        line("system", labels.ended);
      }

      function askRating(frame) {
        var box = el("div", { "class": "rating" });
        box.appendChild(el("p", { "class": "note" }, frame.question));
        var scores = el("div", { "class": "scores", "role": "group", "aria-label": frame.question });
        var chosen = null;
        for (var s = frame.scale_min; s <= frame.scale_max; s++) {
          (function (score) {
            var b = el("button", { "type": "button", "aria-pressed": "false" }, String(score));
            b.addEventListener("click", function () {
              chosen = score;
              scores.querySelectorAll("button").forEach(function (x) { x.setAttribute("aria-pressed", String(x === b)); });
              submit.disabled = false;
            });
            scores.appendChild(b);
          })(s);
        }
        box.appendChild(scores);
        box.appendChild(el("label", { "for": "hd-comment" }, labels.comment));
        var comment = el("textarea", { "id": "hd-comment" });
        box.appendChild(comment);
        var submit = el("button", { "class": "send", "type": "button" }, labels.rate);
        submit.disabled = true;
        submit.addEventListener("click", function () {
          if (chosen === null) { return; }
          submit.disabled = true;
          put({ type: "rating", score: chosen, comment: comment.value });
        });
        box.appendChild(submit);
        body.insertBefore(box, status);
      }

      function onFrame(frame) {
        if (frame.type === "message") {
          if (seen[frame.id]) { return; }
          seen[frame.id] = true;
          var mine = frame.author === "visitor";
          line(frame.author, frame.body, mine ? labels.you : (frame.name || labels.agent), frame.files);
          if (frame.author === "agent") { typing.textContent = ""; }
        } else if (frame.type === "joined") {
          agentName = frame.name || labels.agent;
          typing.textContent = "";
          line("system", labels.joined.replace("%(name)s", agentName));
        } else if (frame.type === "typing" && frame.author === "agent") {
          typing.textContent = labels.typing.replace("%(name)s", agentName);
          clearTimeout(typingTimer);
          typingTimer = setTimeout(function () { typing.textContent = ""; }, 4000);
        } else if (frame.type === "ended") {
          finish();
        } else if (frame.type === "rating_request") {
          askRating(frame);
        } else if (frame.type === "rated") {
          var box = body.querySelector(".rating");
          if (box) { box.remove(); }
          line("system", labels.rated);
          save(null);
        } else if (frame.type === "error") {
          status.className = "status error";
          status.textContent = frame.detail || labels.error;
          var again = body.querySelector(".rating .send");
          if (again) { again.disabled = false; }
        }
      }

      function connect() {
        var url = origin.replace(/^http/, "ws") + state.socket;
        log.textContent = "";
        seen = {};
        socket = new WebSocket(url);
        socket.addEventListener("open", function () { retry = 1000; status.textContent = ""; status.className = "status"; });
        socket.addEventListener("message", function (event) {
          try { onFrame(JSON.parse(event.data)); } catch (e) { /* not ours */ }
        });
        socket.addEventListener("close", function (event) {
          if (DEAD_TOKEN.indexOf(event.code) !== -1) { save(null); showForm(); return; }
          if (over && !body.querySelector(".rating")) { return; }
          status.className = "status";
          status.textContent = labels.reconnecting;
          setTimeout(connect, retry);
          retry = Math.min(retry * 2, 30000);
        });
      }

      compose.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = input.value.trim();
        if (!text) { return; }
        put({ type: "message", body: text });
        input.value = "";
        status.textContent = "";
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); compose.requestSubmit(); }
      });
      input.addEventListener("input", function () {
        var now = Date.now();
        if (now - lastTyping > 2000) { lastTyping = now; put({ type: "typing" }); }
      });
      end.addEventListener("click", function () { put({ type: "end" }); });
      attach.addEventListener("click", function () { picker.click(); });
      picker.addEventListener("change", function () {
        if (!picker.files.length) { return; }
        var data = new FormData();
        Array.prototype.forEach.call(picker.files, function (file) { data.append("attachments", file); });
        picker.value = "";
        attach.disabled = true;
        status.className = "status";
        status.textContent = labels.uploading;
        var h = { "Accept": "application/json" };
        if (language) { h["Accept-Language"] = language; }
        fetch(endpoint.replace(/\/?$/, "/") + state.token + "/files/", { method: "POST", headers: h, body: data })
          .then(function (response) {
            return response.json().catch(function () { return {}; })
              .then(function (b) { return { ok: response.ok, body: b }; });
          })
          .then(function (result) {
            if (!result.ok) { throw { refusal: firstError(result.body, labels.upload_error) }; }
            status.textContent = "";
          })
          .catch(function (error) {  // a refusal says why; a network failure says "try again"
            status.className = "status error";
            status.textContent = error && error.refusal ? error.refusal : labels.upload_error;
          })
          .then(function () { attach.disabled = false; });
      });
      connect();
    }

    var stored = load();
    if (stored && stored.token && stored.socket) { startChat(stored); } else { showForm(); }
    root.appendChild(launcher);
    root.appendChild(panel);
    document.body.appendChild(host);
    if (stored && stored.token) { toggle(true); }
  }

  function start() {
    fetch(endpoint, { headers: headers(false) })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (body) { build(body); })
      .catch(function () { build({ online: false }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
