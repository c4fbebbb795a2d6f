/*
 * Helpdesk contact widget. Paste into any page:
 *   <script src="https://support.example.com/static/widget/widget.js" async></script>
 * It adds a "Contact us" button; the form creates a ticket on the chat channel.
 * Labels come from the helpdesk in the visitor's language. No dependencies.
 */
(function () {
  "use strict";
  if (window.__helpdeskWidget) { return; }
  window.__helpdeskWidget = true;

  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : location.origin;
  var endpoint = (script && script.dataset.endpoint) || origin + "/support/widget/tickets/";
  var language = (script && script.dataset.language) || document.documentElement.lang || navigator.language || "";

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;background:#1f3a5f;color:#fff;border:0;border-radius:999px;padding:12px 20px;font-size:15px;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.2)}",
    ".launcher:focus-visible,button:focus-visible,input:focus,textarea:focus{outline:3px solid #8fb3de;outline-offset:1px}",
    ".panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:340px;max-width:calc(100vw - 40px);background:#fff;color:#1f2933;border:1px solid #dde3ea;border-radius:10px;box-shadow:0 10px 30px rgba(0,0,0,.18);padding:16px}",
    ".panel[hidden]{display:none}",
    ".head{display:flex;justify-content:space-between;align-items:center;margin:0 0 10px}",
    "h2{font-size:16px;margin:0}",
    ".close{background:none;border:0;font-size:20px;line-height:1;cursor:pointer;color:#616e7c}",
    "label{display:block;font-size:13px;font-weight:600;margin:8px 0 3px}",
    "input,textarea{width:100%;padding:8px 10px;border:1px solid #c3ccd6;border-radius:6px;font-size:14px;color:#1f2933;background:#fff}",
    "textarea{min-height:96px;resize:vertical}",
    ".hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}",
    ".send{margin-top:12px;width:100%;background:#1f3a5f;color:#fff;border:0;border-radius:6px;padding:10px;font-size:15px;font-weight:600;cursor:pointer}",
    ".send[disabled]{opacity:.6;cursor:wait}",
    ".status{font-size:14px;margin:10px 0 0}",
    ".error{color:#b42318}",
    ".done{font-size:15px;margin:8px 0}"
  ].join("\n");

  var DEFAULT_LABELS = {
    open: "Contact us", title: "Send us a message", name: "Your name", email: "Your email address",
    message: "How can we help?", send: "Send", close: "Close", sending: "Sending…",
    error: "Sorry, your message could not be sent. Please try again.",
    thanks: "Thank you! Your reference is %(reference)s. We will reply by email."
  };

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

  function build(labels) {
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
    var panel = el("div", { "class": "panel", "id": "hd-panel", "role": "dialog",
                            "aria-label": labels.title });
    panel.hidden = true;
    var head = el("div", { "class": "head" });
    head.appendChild(el("h2", {}, labels.title));
    var close = el("button", { "class": "close", "type": "button", "aria-label": labels.close }, "×");
    head.appendChild(close);
    panel.appendChild(head);

    var form = el("form", { "novalidate": "" });
    [["name", "text", labels.name], ["email", "email", labels.email]].forEach(function (f) {
      form.appendChild(el("label", { "for": "hd-" + f[0] }, f[2]));
      form.appendChild(el("input", { "id": "hd-" + f[0], "name": f[0], "type": f[1], "required": "",
                                     "autocomplete": f[0] }));
    });
    form.appendChild(el("label", { "for": "hd-message" }, labels.message));
    form.appendChild(el("textarea", { "id": "hd-message", "name": "message", "required": "" }));
    var hp = el("div", { "class": "hp", "aria-hidden": "true" });
    hp.appendChild(el("input", { "name": "website", "tabindex": "-1", "autocomplete": "off" }));
    form.appendChild(hp);
    var send = el("button", { "class": "send", "type": "submit" }, labels.send);
    form.appendChild(send);
    var status = el("p", { "class": "status", "role": "status", "aria-live": "polite" });
    form.appendChild(status);
    panel.appendChild(form);

    function toggle(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      if (open) { form.querySelector("input").focus(); }
    }
    launcher.addEventListener("click", function () { toggle(panel.hidden); });
    close.addEventListener("click", function () { toggle(false); launcher.focus(); });
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { toggle(false); launcher.focus(); } });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = {};
      ["name", "email", "message", "website"].forEach(function (n) { data[n] = form.elements[n].value; });
      send.disabled = true;
      status.className = "status";
      status.textContent = labels.sending;
      fetch(endpoint, { method: "POST", headers: headers(true), body: JSON.stringify(data) })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (!result.ok) {
            var errors = result.body.errors || {};
            var first = Object.keys(errors)[0];
            throw new Error(first ? errors[first][0] : (result.body.error || labels.error));
          }
          form.replaceWith(el("p", { "class": "done", "role": "status" },
            labels.thanks.replace("%(reference)s", result.body.reference || "")));
        })
        .catch(function (error) {
          status.className = "status error";
          status.textContent = error && error.message ? error.message : labels.error;
          send.disabled = false;
        });
    });

    root.appendChild(launcher);
    root.appendChild(panel);
    document.body.appendChild(host);
  }

  function start() {
    fetch(endpoint, { headers: headers(false) })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (body) { build(Object.assign({}, DEFAULT_LABELS, body.labels || {})); })
      .catch(function () { build(DEFAULT_LABELS); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
