// Updates the import progress bar in place; without this script the "Check progress" button does the same.
(function () {
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  if (!bar || !text || !window.fetch) return;
  var url = bar.getAttribute("data-status-url");
  function tick() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.finished && s.next) { window.location.assign(s.next); return; }
        var pct = s.total ? Math.round(100 * s.done / s.total) : 0;
        bar.value = s.done;
        bar.max = s.total;
        text.textContent = s.done + " of " + s.total + " rows done (" + pct + "%).";
        window.setTimeout(tick, 2000);
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 2000);
})();
