/* The participant's phone: shows open statements, sends votes, queues them while offline. */
(function () {
  "use strict";
  var B = window.Brygga, t = B.t, el = B.el, data = B.data;
  var queueKey = "brygga:queue:" + data.code;
  var commentKey = "brygga:comments:" + data.code;
  var state = null;
  var myVotes = {};
  var notes = {};          // statement id -> {text, kind} shown under the buttons
  var comments = loadComments();  // role statements: {draft: {id: text}, sent: {id: text}}
  var socket;

  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey)) || []; } catch (e) { return []; }
  }
  function saveQueue(queue) {
    try { localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { /* private mode */ }
    var box = document.getElementById("pending");
    box.hidden = queue.length === 0;
    box.textContent = queue.length ? t("phone.queued", { n: queue.length }) : "";
  }
  function loadComments() {
    try {
      var stored = JSON.parse(localStorage.getItem(commentKey));
      if (stored && stored.draft && stored.sent) return stored;
    } catch (e) { /* private mode or nothing stored */ }
    return { draft: {}, sent: {} };
  }
  function saveComments() {
    try { localStorage.setItem(commentKey, JSON.stringify(comments)); } catch (e) { /* private mode */ }
  }
  function ballotId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "b" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function isRole(s) { return s.topic === "role" && !!s.role; }

  function inLang(pair) { return (pair && (pair[data.lang] || pair.sv)) || ""; }

  function mayAnswer(s) {
    if (state.everyone_may_answer || s.organisation_id == null) return true;
    return s.perspective === "own" ? s.organisation_id !== data.org_id : s.organisation_id === data.org_id;
  }

  function question(s) {
    if (s.topic === "role") return t("roles.question");
    if (s.perspective === "own") return t("phone.question_own", { org: s.organisation });
    return t("phone.question_others." + s.topic);
  }

  function explain(choice, s) {
    if (s.topic === "role") return t("explain.role." + choice);
    if (choice === "discuss") return t("explain.discuss");
    if (s.perspective === "own") return t("explain.own." + choice);
    return t("explain.others." + s.topic + "." + choice);
  }

  function card(s) {
    var node = document.getElementById("t-statement").content.firstElementChild.cloneNode(true);
    var f = function (name) { return node.querySelector('[data-f="' + name + '"]'); };
    node.dataset.id = s.id;
    if (isRole(s)) {
      showRole(node, f, s);
    } else {
      f("org").textContent = s.organisation;
      f("kind").textContent = B.kind(s);
      f("text").textContent = s.text;
    }
    f("question").textContent = question(s);
    ["yes", "no", "discuss"].forEach(function (c) { f("explain-" + c).textContent = explain(c, s); });
    var eligible = mayAnswer(s);
    var open = s.state === "open";
    var mine = myVotes[String(s.id)];
    node.querySelectorAll(".vote").forEach(function (button) {
      var choice = button.dataset.choice;
      button.setAttribute("aria-pressed", mine === choice ? "true" : "false");
      button.disabled = !open || !eligible;
      button.addEventListener("click", function () { vote(s.id, choice); });
    });
    if (isRole(s) && eligible) showComment(f, s, open);
    if (!eligible) {
      node.querySelector(".votes").hidden = true;
      f("question").hidden = true;
      f("status").dataset.kind = "info";
      f("status").textContent = s.perspective === "own"
        ? t("phone.not_for_you_own", { org: s.organisation })
        : t("phone.not_for_you_others", { org: s.organisation });
    } else if (notes[s.id]) {
      f("status").textContent = notes[s.id].text;
      f("status").dataset.kind = notes[s.id].kind;
    } else if (!open) {
      f("status").textContent = t("phone.closed");
    } else if (mine) {
      f("status").textContent = t("phone.saved_change");
      f("status").dataset.kind = "ok";
    }
    f("progress").textContent = B.nOfM(state, s, "progress.voted");
    if (s.tally) {
      f("result").hidden = false;
      f("result").appendChild(el("h2", { text: t("phone.result") }));
      f("result").appendChild(B.bars(s.tally));
    } else if (s.withheld && s.revealed) {
      f("result").hidden = false;
      f("result").appendChild(el("h2", { text: t("phone.result") }));
      f("result").appendChild(el("p", { class: "hint withheld", text: t("anonymity.withheld", { threshold: state.anonymity_threshold }) }));
    }
    return node;
  }

  /* A role statement: "Role 5B", the role's name, what it does and examples of titles. */
  function showRole(node, f, s) {
    var role = s.role, title = f("text"), info = f("role");
    node.querySelector(".eyebrow").replaceChildren(document.createTextNode(
      t("roles.role_code", { code: role.code }) + " · " + t("roles.tier_short." + role.tier)));
    title.textContent = inLang(role.name);
    node.insertBefore(el("div", { class: "role-head" }, [
      el("span", { class: "role-code", "aria-hidden": "true", text: role.code }),
      title
    ]), info);
    f("role").hidden = false;
    f("does").textContent = inLang(role.does);
    f("does").hidden = !inLang(role.does);
    var examples = (role.examples && (role.examples[data.lang] || role.examples.sv)) || [];
    f("examples").textContent = examples.join(" · ");
    f("examples").parentNode.hidden = !examples.length;
  }

  /* The optional comment: sent with the vote; "send" resends the current answer with it. */
  function showComment(f, s, open) {
    var id = String(s.id);
    var box = f("comment"), text = f("comment-text"), send = f("comment-send"), help = f("comment-help");
    box.hidden = false;
    box.dataset.open = open ? "1" : "";
    text.id = "comment-" + id;
    help.id = "comment-help-" + id;
    text.setAttribute("aria-describedby", help.id);
    text.value = comments.draft[id] || "";
    text.disabled = !open;
    help.textContent = t("roles.comment_help");
    text.addEventListener("input", function () {
      comments.draft[id] = text.value;
      saveComments();
      syncSend(box, id);
    });
    send.addEventListener("click", function () { if (myVotes[id]) vote(s.id, myVotes[id]); });
    send.hidden = !open;
    syncSend(box, id);
  }

  /* "Send the comment" is for a changed comment once there is an answer to send it with. */
  function syncSend(box, id) {
    var draft = (comments.draft[id] || "").trim();
    box.querySelector('[data-f="comment-send"]').disabled =
      box.dataset.open !== "1" || !myVotes[id] || draft === (comments.sent[id] || "");
  }

  /* Put ``nodes`` into ``parent`` but leave ``keep`` attached, so a focused textarea keeps focus. */
  function replaceAround(parent, keep, nodes) {
    Array.prototype.slice.call(parent.childNodes).forEach(function (c) { if (c !== keep) parent.removeChild(c); });
    var before = true;
    nodes.forEach(function (n) {
      if (n === keep) { before = false; return; }
      if (before) parent.insertBefore(n, keep); else parent.appendChild(n);
    });
  }

  /* A fresh card for a statement whose comment is being typed: the old card and its comment
     box stay in place and only the rest is renewed (a push must not interrupt the typing). */
  function patchTyping(nodes) {
    var active = document.activeElement;
    if (!active || active.getAttribute("data-f") !== "comment-text") return null;
    var oldCard = active.closest(".statement-card");
    var index = nodes.findIndex(function (n) { return n.dataset && n.dataset.id === oldCard.dataset.id; });
    if (index < 0) return null;
    var fresh = nodes[index];
    var keep = oldCard.querySelector('[data-f="comment"]');
    var freshBox = fresh.querySelector('[data-f="comment"]');
    keep.querySelector('[data-f="comment-foot"]').replaceWith(freshBox.querySelector('[data-f="comment-foot"]'));
    keep.dataset.open = freshBox.dataset.open || "";
    keep.hidden = freshBox.hidden;
    keep.querySelector("textarea").disabled = keep.dataset.open !== "1";
    syncSend(keep, oldCard.dataset.id);
    var parts = Array.prototype.slice.call(fresh.children).map(function (c) { return c === freshBox ? keep : c; });
    replaceAround(oldCard, keep, parts);
    nodes[index] = oldCard;
    return oldCard;
  }

  function render() {
    var stage = document.getElementById("stage");
    if (!state) return;
    var shown = state.open.slice();
    if (state.current && state.current.state !== "open" && state.current.revealed) shown.unshift(state.current);
    if (!shown.length) {
      stage.replaceChildren(el("section", { class: "waiting" }, [
        el("div", { class: "pulse", "aria-hidden": "true" }),
        el("h1", { text: t("phone.waiting") }),
        el("p", { class: "muted", text: t("phone.waiting_help") })
      ]));
      return;
    }
    var nodes = [];
    if (shown.length > 1) {
      var answered = shown.filter(function (s) { return myVotes[String(s.id)]; }).length;
      nodes.push(el("p", { class: "batch-head", text: t("phone.batch", { n: answered, m: shown.length }) }));
    }
    shown.forEach(function (s) { nodes.push(card(s)); });
    var typing = patchTyping(nodes);
    if (typing) replaceAround(stage, typing, nodes);
    else stage.replaceChildren.apply(stage, nodes);
  }

  function enqueue(ballot) {
    var queue = loadQueue().filter(function (b) { return b.statement_id !== ballot.statement_id; });
    queue.push(ballot);
    saveQueue(queue);
  }
  function dequeue(ballotIdValue) {
    saveQueue(loadQueue().filter(function (b) { return b.ballot_id !== ballotIdValue; }));
  }

  // A ballot without an answer (a timeout, or a server that says "try again") stays queued and
  // goes again after a jittered pause, or at once on reconnect; its id makes a repeat harmless.
  var resendTimer = null;
  var resendPause = 2000;
  function resendLater() {
    if (resendTimer) return;
    resendTimer = setTimeout(function () {
      resendTimer = null;
      if (socket.connected) flush();
    }, resendPause / 2 + Math.random() * resendPause);
    resendPause = Math.min(resendPause * 2, 30000);
  }

  function send(ballot) {
    socket.timeout(8000).emit("cast_vote", ballot, function (err, ack) {
      if (err || (ack && !ack.ok && ack.retry)) { resendLater(); return; }
      resendPause = 2000;
      dequeue(ballot.ballot_id);
      if (ack && ack.ok) {
        myVotes[String(ack.statement_id)] = ack.choice;
        if (ballot.comment !== undefined) {
          comments.sent[String(ack.statement_id)] = ballot.comment;
          saveComments();
        }
        notes[ack.statement_id] = { text: t(ballot.comment ? "roles.comment_saved" : "phone.saved"), kind: "ok" };
      } else {
        notes[ballot.statement_id] = { text: (ack && ack.error) || t("error.bad_payload"), kind: "error" };
        resync();
      }
      render();
    });
  }

  function vote(statementId, choice) {
    var ballot = { statement_id: statementId, choice: choice, ballot_id: ballotId() };
    var shown = state && state.open.concat(state.current ? [state.current] : []);
    var statement = shown && shown.find(function (s) { return s.id === statementId; });
    if (statement && statement.topic === "role") ballot.comment = (comments.draft[String(statementId)] || "").trim();
    myVotes[String(statementId)] = choice;
    notes[statementId] = { text: socket.connected ? t("phone.sending") : t("phone.offline_saved"), kind: "pending" };
    enqueue(ballot);
    render();
    if (navigator.vibrate) navigator.vibrate(15);
    if (socket.connected) send(ballot);
  }

  function flush() { loadQueue().forEach(send); }

  function resync() {
    socket.emit("sync", {}, function (ack) { if (ack && ack.ok) socket.deliverState(ack.state); });
  }

  function onState(next) {
    if (next.me) {
      myVotes = next.me.votes || {};
      loadQueue().forEach(function (b) { myVotes[String(b.statement_id)] = b.choice; });
    }
    state = next;
    render();
  }

  socket = B.connect({ role: "participant", code: data.code }, onState);
  socket.on("connect", flush);
  saveQueue(loadQueue());
})();
