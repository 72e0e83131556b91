// Enhancement only: the number of points shows when "Dojo Points" is chosen (the form works without it).
(function () {
  var box = document.getElementById("points-field");
  var kinds = document.querySelectorAll('input[name="kind"]');
  if (!box || !kinds.length) return;
  function update() {
    var chosen = document.querySelector('input[name="kind"]:checked');
    box.hidden = !(chosen && chosen.value === "dojo_points") && !box.querySelector(".error-message");
  }
  kinds.forEach(function (k) { k.addEventListener("change", update); });
  update();
})();
