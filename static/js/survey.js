/* The survey page without reloads: an answer is sent in the background and the progress
   updated. Without this script the same forms post and the page comes back at the card. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("survey-data").textContent);
  var progress = document.getElementById("sv-progress");
  var bar = document.getElementById("sv-progress-bar");

  function show(status, text, kind) {
    status.textContent = text;
    if (kind) status.dataset.kind = kind; else delete status.dataset.kind;
  }

  function send(form, choice) {
    var card = form.closest(".sv-card");
    var status = card.querySelector(".vote-status");
    var body = new URLSearchParams(new FormData(form));
    body.set("choice", choice);
    show(status, data.sending, "pending");
    return fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": data.csrf },
      body: body
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, error: data.failed }; });
    }).then(function (result) {
      if (!result.ok) {
        show(status, result.error || data.failed, "error");
        return;
      }
      form.querySelectorAll("button[name=choice]").forEach(function (button) {
        button.setAttribute("aria-pressed", button.value === result.choice ? "true" : "false");
      });
      show(status, data.saved, "ok");
      if (progress) progress.textContent = result.progress;
      if (bar) { bar.max = result.total; bar.value = result.answered; }
    }, function () {
      show(status, data.failed, "error");
    });
  }

  document.querySelectorAll("form.sv-answer").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.name !== "choice") return;  // let anything else post as usual
      event.preventDefault();
      send(form, button.value);
    });
  });
})();
