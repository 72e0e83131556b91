// Updates a prepared download's progress in place, then shows the finished page; without this script the
// "Check progress" button does the same.
(function () {
  var bar = document.getElementById("export-progress");
  var text = document.getElementById("export-progress-text");
  if (!bar || !text || !window.fetch) return;
  var url = bar.getAttribute("data-status-url");
  function tick() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.finished) { window.location.assign(url); return; }
        bar.value = s.progress;
        text.textContent = "Being prepared" + (s.status === "queued" ? ": waiting for its turn" : "") + ". " + s.progress + "% done.";
        window.setTimeout(tick, 3000);
      })
      .catch(function () { window.setTimeout(tick, 6000); });
  }
  window.setTimeout(tick, 3000);
})();
