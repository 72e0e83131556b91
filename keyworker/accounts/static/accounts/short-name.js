// Suggest an organisation's short name from its name while the short name has not been typed by hand.
(function () {
  "use strict";
  var name = document.getElementById("id_name");
  var slug = document.getElementById("id_slug");
  if (!name || !slug) { return; }
  var typed = slug.value !== "";
  function suggest(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/['’]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50).replace(/-+$/, "");
  }
  slug.addEventListener("input", function () { typed = slug.value !== ""; });
  name.addEventListener("input", function () {
    if (!typed) { slug.value = suggest(name.value); }
  });
}());
