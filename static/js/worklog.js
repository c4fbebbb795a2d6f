// The running timer on the ticket page (docs/time-tracking.md): the start time comes
// from the server, so the elapsed time is right after a reload or in another tab.
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var nodes = document.querySelectorAll("[data-timer-start]");
    for (var i = 0; i < nodes.length; i++) {
      var start = Date.parse(nodes[i].getAttribute("data-timer-start"));
      if (isNaN(start)) continue;
      var s = Math.max(0, Math.floor((Date.now() - start) / 1000));
      nodes[i].textContent = Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    }
  }
  tick();
  setInterval(tick, 1000);
})();
