// The coordinator's screen: fetch a new code every few seconds (the old one
// stops working soon after). Without JavaScript the page reloads itself.
(function () {
  "use strict";
  var image = document.getElementById("gate-qr");
  if (!image) return;
  var every = Number(image.dataset.every || 30) * 1000;
  var base = image.src.split("?")[0];
  setInterval(function () {
    image.src = base + "?t=" + Date.now();
  }, every);
})();
