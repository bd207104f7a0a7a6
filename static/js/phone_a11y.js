/* The phone for keyboards and screen readers. phone.js redraws the statement cards on every push;
   this keeps the focus on the same control across a redraw and says in one short live message
   what changed for the participant (a new statement, an answer saved, a result shown). */
(function () {
  "use strict";
  var stage = document.getElementById("stage");
  var live = document.getElementById("announce");
  if (!stage || !live) return;
  var focusKey = null;
  var seen = summary();

  function keyOf(node) {
    var card = node.closest && node.closest(".statement-card");
    if (!card) return null;
    var part = node.dataset.choice ? '[data-choice="' + node.dataset.choice + '"]'
      : node.dataset.f ? '[data-f="' + node.dataset.f + '"]' : null;
    return part && { id: card.dataset.id, part: part };
  }

  stage.addEventListener("focusin", function (event) { focusKey = keyOf(event.target); });
  stage.addEventListener("focusout", function (event) {
    var left = event.target;
    // a control removed by a redraw keeps its key; one the participant left on purpose does not
    setTimeout(function () {
      if (left.isConnected && !stage.contains(document.activeElement)) focusKey = null;
    }, 0);
  });

  function restoreFocus() {
    if (!focusKey || (document.activeElement && document.activeElement !== document.body)) return;
    var card = stage.querySelector('.statement-card[data-id="' + focusKey.id + '"]');
    var again = card && card.querySelector(focusKey.part);
    if (again && !again.disabled) again.focus();
  }

  function text(node, selector) {
    var found = node.querySelector(selector);
    return found && !found.closest("[hidden]") ? found.textContent.trim() : "";
  }

  /* What a participant would want to hear about each card, by statement id. */
  function summary() {
    var cards = {};
    stage.querySelectorAll(".statement-card").forEach(function (card) {
      var bars = card.querySelector(".result .bars");
      cards[card.dataset.id] = {
        statement: [text(card, ".statement-text"), text(card, ".question")].filter(Boolean).join(". "),
        status: text(card, '[data-f="status"]'),
        result: bars ? text(card, ".result h2") + ": " + bars.getAttribute("aria-label")
          : text(card, ".result .withheld") && text(card, ".result h2") + ": " + text(card, ".result .withheld")
      };
    });
    return { cards: cards, waiting: text(stage, ".waiting h1") };
  }

  function announce(messages) {
    if (!messages.length) return;
    live.textContent = "";
    // a fresh text node in the next frame, so that the same words twice are read twice
    requestAnimationFrame(function () { live.textContent = messages.join(" "); });
  }

  function changes(before, after) {
    var messages = [];
    if (after.waiting && after.waiting !== before.waiting) messages.push(after.waiting);
    Object.keys(after.cards).forEach(function (id) {
      var now = after.cards[id], then = before.cards[id];
      if (!then) messages.push(now.statement);
      if (now.status && (!then || now.status !== then.status)) messages.push(now.status);
      if (now.result && (!then || !then.result)) messages.push(now.result);
    });
    return messages;
  }

  new MutationObserver(function () {
    restoreFocus();
    var now = summary();
    announce(changes(seen, now));
    seen = now;
  }).observe(stage, { childList: true, subtree: true, characterData: true });
})();
