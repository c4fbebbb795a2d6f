// Live chat in the top bar (docs/live-chat.md): the number of chats waiting, a chime when
// a new one arrives, and the page's one agent socket, shared with the chat inbox through
// "helpdesk:chat" events on document and window.helpdeskChat.send(frame).
(function () {
  "use strict";
  var link = document.querySelector("[data-chat-badge]");
  if (!link || window.helpdeskChat) { return; }
  var count = link.querySelector("[data-chat-count]");
  var queue = [];
  var socket = null;
  var retry = 1000;
  var refreshing = null;

  function refresh() {
    clearTimeout(refreshing);
    refreshing = setTimeout(function () {
      fetch(link.dataset.listUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body) { return; }
          var n = body.count !== undefined ? body.count : (body.results || body).length;
          count.textContent = String(n);
          count.hidden = n === 0;
          link.classList.toggle("chat-waiting-now", n > 0);
        })
        .catch(function () {});
    }, 150);
  }

  function chime() {
    try { new Audio(link.dataset.sound).play().catch(function () {}); } catch (e) { /* no audio */ }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/agent/");
    socket.addEventListener("open", function () {
      retry = 1000;
      while (queue.length) { socket.send(queue.shift()); }
      document.dispatchEvent(new CustomEvent("helpdesk:chat-open"));
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "inbox") {
        refresh();
        if (frame.new) { chime(); }
      }
      document.dispatchEvent(new CustomEvent("helpdesk:chat", { detail: frame }));
    });
    socket.addEventListener("close", function (event) {
      document.dispatchEvent(new CustomEvent("helpdesk:chat-closed"));
      if (event.code === 4403) { return; }  // not staff: nothing to retry
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  window.helpdeskChat = {
    send: function (frame) {
      var text = JSON.stringify(frame);
      if (socket && socket.readyState === WebSocket.OPEN) { socket.send(text); } else { queue.push(text); }
    }
  };
  refresh();
  connect();
})();
