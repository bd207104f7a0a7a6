/* A page saying that a phone's place in a workshop is gone (it left, withdrew its answers, or
   the workshop was deleted): the phone forgets what it kept for that workshop too, every
   "brygga:<what>:<code>" key (phone.js: answers waiting to be sent, comments; journey_phone.js:
   entries waiting to be sent), which would otherwise be sent or shown again under a new place
   if it joined again. The workshop's code is on the element marked data-forget
   (templates/participant/_forget.html). */
(function () {
  "use strict";
  var marked = document.querySelector("[data-forget]");
  var code = marked && marked.getAttribute("data-forget");
  if (!code) return;
  try {
    var suffix = ":" + code;
    Object.keys(window.localStorage).forEach(function (key) {
      if (key.indexOf("brygga:") === 0 && key.slice(-suffix.length) === suffix) {
        window.localStorage.removeItem(key);
      }
    });
  } catch (e) { /* no storage: nothing kept */ }
})();
