/* "Other pupils involved": a search-as-you-type combobox over the children the member of staff may name, on top of
   the plain multiple select (which stays the answer the form sends, and the whole picker without this script).
   ARIA 1.2 combobox with a listbox popup: arrows move, Enter or a tap chooses, Escape closes. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function enhance(select) {
    var url = select.getAttribute("data-search-url");
    if (!url) { return; }
    var id = select.id;
    var label = document.querySelector("label[for='" + id + "']");
    var hint = document.getElementById(id + "_helptext");
    var wrap = el("div", { "class": "picker" });
    var chosen = el("ul", { "class": "picker__chosen", "id": id + "_chosen", "aria-label": "Pupils chosen" });
    var input = el("input", {
      "type": "text", "id": id + "_search", "class": "picker__input", "role": "combobox", "autocomplete": "off",
      "autocapitalize": "words", "spellcheck": "false", "aria-autocomplete": "list", "aria-expanded": "false",
      "aria-controls": id + "_listbox"
    });
    var list = el("ul", { "class": "picker__list", "id": id + "_listbox", "role": "listbox", "aria-label": "Matching pupils" });
    var status = el("p", { "class": "visually-hidden", "role": "status", "id": id + "_status" });
    list.hidden = true;
    var described = [id + "_search_hint"];
    if (select.getAttribute("aria-describedby")) { described.unshift(select.getAttribute("aria-describedby")); }
    input.setAttribute("aria-describedby", described.join(" "));
    var ownHint = el("p", { "class": "hint", "id": id + "_search_hint" },
      "Type part of a name, then choose the pupil from the list. Choose as many as were involved.");
    if (hint) { hint.hidden = true; }
    if (label) { label.htmlFor = input.id; }
    wrap.appendChild(ownHint);
    wrap.appendChild(chosen);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);
    select.parentNode.insertBefore(wrap, select.nextSibling);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function optionFor(value) {
      return Array.prototype.find.call(select.options, function (o) { return o.value === String(value); });
    }

    function drawChosen() {
      chosen.textContent = "";
      Array.prototype.forEach.call(select.selectedOptions, function (o) {
        var item = el("li", { "class": "picker__chip" });
        item.appendChild(el("span", {}, o.textContent));
        var remove = el("button", { "type": "button", "class": "picker__remove button--secondary button--small" }, "Remove");
        remove.appendChild(el("span", { "class": "visually-hidden" }, " " + o.textContent));
        remove.addEventListener("click", function () {
          o.selected = false;
          drawChosen();
          status.textContent = o.textContent + " removed.";
          input.focus();
        });
        item.appendChild(remove);
        chosen.appendChild(item);
      });
      chosen.hidden = select.selectedOptions.length === 0;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) { return; }
      active = (i + items.length) % items.length;
      items.forEach(function (item, n) { item.setAttribute("aria-selected", n === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(i) {
      var child = results[i];
      if (!child) { return; }
      var option = optionFor(child.id);
      if (!option) {
        option = new Option(child.label, String(child.id));
        select.appendChild(option);
      }
      option.selected = true;
      drawChosen();
      input.value = "";
      close();
      status.textContent = child.label + " added. " + select.selectedOptions.length + " chosen.";
      input.focus();
    }

    function draw(found) {
      results = found.filter(function (c) { var o = optionFor(c.id); return !(o && o.selected); });
      list.textContent = "";
      if (!results.length) {
        list.appendChild(el("li", { "class": "picker__none", "role": "option", "aria-disabled": "true", "id": id + "_none" },
          "No pupil matches “" + input.value.trim() + "”"));
      }
      results.forEach(function (child, i) {
        var item = el("li", { "class": "picker__option", "role": "option", "id": id + "_option_" + child.id, "aria-selected": "false" },
          child.label);
        item.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the focus in the input
        item.addEventListener("click", function () { choose(i); });
        list.appendChild(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      status.textContent = results.length ? results.length + (results.length === 1 ? " pupil matches." : " pupils match.") : "No pupil matches.";
    }

    function search() {
      var q = input.value.trim();
      if (!q) { close(); return; }
      var n = ++asked;
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + sep + "q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (n === asked) { draw(data.results || []); } })
        .catch(function () { if (n === asked) { draw([]); } });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden) { search(); } else { highlight(active + 1); }
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        if (!list.hidden) { highlight(active - 1); }
      } else if (e.key === "Enter") {
        if (!list.hidden && active >= 0) { e.preventDefault(); choose(active); } else if (!list.hidden) { e.preventDefault(); }
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    drawChosen();
  }

  document.querySelectorAll("select[data-picker=children]").forEach(enhance);
})();
