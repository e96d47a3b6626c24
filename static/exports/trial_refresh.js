// The configuration trial page reloads itself while the trial runs (every data-refresh-seconds seconds).
(function () {
  "use strict";
  var script = document.currentScript;
  var seconds = Number(script && script.dataset.refreshSeconds) || 2;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
