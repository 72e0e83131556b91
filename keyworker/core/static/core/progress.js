// Updates a progress bar in place while the work runs, then opens the finished page; without this script the page's
// "Check progress" button does the same (no timed refresh of the whole page: WCAG 2.2.1). The bar names the address
// of its status (data-status-url, answering {done, total, text, finished, next}) and the id of the line that says it
// in words (data-status-text).
(function () {
  var bar = document.querySelector("progress[data-status-url]");
  if (!bar || !window.fetch) return;
  var text = document.getElementById(bar.getAttribute("data-status-text"));
  var url = bar.getAttribute("data-status-url");
  function tick() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.finished && s.next) { window.location.assign(s.next); return; }
        bar.max = s.total;
        bar.value = s.done;
        if (text && s.text) text.textContent = s.text;
        window.setTimeout(tick, 2500);
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 2500);
})();
