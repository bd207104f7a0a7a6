// Verification pages: copy a new link (it is shown only once) and close a message.
(function () {
  "use strict";

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    var label = button.textContent;
    field.addEventListener("focus", function () { field.select(); });
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      var done = function () {
        button.textContent = button.getAttribute("data-copied") || label;
        window.setTimeout(function () { button.textContent = label; }, 2500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          if (document.execCommand("copy")) done();
        });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });

  document.querySelectorAll("[data-dismiss]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var target = button.closest(button.getAttribute("data-dismiss"));
      if (target) target.remove();
    });
  });
})();
