/* The register: "Mark all present" fills every pupil with no mark yet with the present code, in the page, without
   saving; staff change the exceptions and save as usual. Without this script the button asks the server instead. */
(function () {
  "use strict";
  var button = document.querySelector("[data-register-fill]");
  var form = document.getElementById("register-form");
  var status = document.getElementById("register-fill-status");
  if (!button || !form) { return; }
  button.addEventListener("click", function (event) {
    event.preventDefault();
    var filled = 0;
    form.querySelectorAll(".register__child").forEach(function (fieldset) {
      var checked = fieldset.querySelector("input[type=radio]:checked");
      var other = fieldset.querySelector("select");
      if (checked || (other && other.value)) { return; }
      var present = fieldset.querySelector("input[type=radio][id^='" + button.getAttribute("data-register-fill") + "']");
      if (present) { present.checked = true; filled += 1; }
    });
    if (status) {
      status.textContent = filled === 0
        ? "Every pupil already has a mark: nothing changed."
        : filled + (filled === 1 ? " pupil" : " pupils") + " marked present, not saved yet: change the exceptions, then save the register.";
    }
  });
})();
