/* The projector's comparison: the arrow keys (or a presenter's clicker) step through statements. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var rel = { ArrowLeft: "prev", PageUp: "prev", ArrowRight: "next", PageDown: "next" }[event.key];
    var link = rel && document.querySelector('.sv-proj-nav a[rel="' + rel + '"]');
    if (link) { event.preventDefault(); window.location.href = link.href; }
  });
})();
