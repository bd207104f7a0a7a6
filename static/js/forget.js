/* A page saying that a phone's place in a workshop is gone (its answers withdrawn, or the
   workshop deleted): the phone forgets what it kept for that workshop too, the answers still
   waiting to be sent and the comments it showed (phone.js, journey_phone.js). The workshop's
   code is on the element marked data-forget. */
(function () {
  "use strict";
  var marked = document.querySelector("[data-forget]");
  var code = marked && marked.getAttribute("data-forget");
  if (!code) return;
  ["brygga:queue:", "brygga:comments:", "brygga:journey:"].forEach(function (prefix) {
    try { window.localStorage.removeItem(prefix + code); } catch (e) { /* no storage: nothing kept */ }
  });
})();
