/* A page saying that a phone's place in a workshop is gone (it left, withdrew its answers, or
   the workshop was deleted): the phone forgets what it kept for that workshop too, the answers
   still waiting to be sent and the comments it showed (phone.js, journey_phone.js), which would
   otherwise be sent or shown again under a new place if it joined again. The workshop's code
   is on the element marked data-forget (templates/participant/_forget.html). */
(function () {
  "use strict";
  var marked = document.querySelector("[data-forget]");
  var code = marked && marked.getAttribute("data-forget");
  if (!code) return;
  ["brygga:queue:", "brygga:comments:", "brygga:journey:"].forEach(function (prefix) {
    try { window.localStorage.removeItem(prefix + code); } catch (e) { /* no storage: nothing kept */ }
  });
})();
