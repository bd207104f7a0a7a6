/* The participant's phone: shows open statements, sends votes, queues them while offline. */
(function () {
  "use strict";
  var B = window.Brygga, t = B.t, el = B.el, data = B.data;
  var queueKey = "brygga:queue:" + data.code;
  var state = null;
  var myVotes = {};
  var notes = {};          // statement id -> {text, kind} shown under the buttons
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
  function ballotId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "b" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function mayAnswer(s) {
    if (state.everyone_may_answer) return true;
    return s.perspective === "own" ? s.organisation_id !== data.org_id : s.organisation_id === data.org_id;
  }

  function question(s) {
    if (s.perspective === "own") return t("phone.question_own", { org: s.organisation });
    return t("phone.question_others." + s.topic);
  }

  function explain(choice, s) {
    if (choice === "discuss") return t("explain.discuss");
    if (s.perspective === "own") return t("explain.own." + choice);
    return t("explain.others." + s.topic + "." + choice);
  }

  function card(s) {
    var node = document.getElementById("t-statement").content.firstElementChild.cloneNode(true);
    var f = function (name) { return node.querySelector('[data-f="' + name + '"]'); };
    node.dataset.id = s.id;
    f("org").textContent = s.organisation;
    f("kind").textContent = B.kind(s);
    f("text").textContent = s.text;
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
    f("progress").textContent = t("progress.voted", { n: s.voted, m: s.eligible });
    if (s.tally) {
      f("result").hidden = false;
      f("result").appendChild(el("h2", { text: t("phone.result") }));
      f("result").appendChild(B.bars(s.tally));
    }
    return node;
  }

  function render() {
    var stage = document.getElementById("stage");
    if (!state) return;
    var shown = state.open.slice();
    if (state.current && state.current.state !== "open" && state.current.revealed) shown.unshift(state.current);
    stage.replaceChildren();
    if (!shown.length) {
      stage.appendChild(el("section", { class: "waiting" }, [
        el("div", { class: "pulse", "aria-hidden": "true" }),
        el("h1", { text: t("phone.waiting") }),
        el("p", { class: "muted", text: t("phone.waiting_help") })
      ]));
      return;
    }
    if (shown.length > 1) {
      var answered = shown.filter(function (s) { return myVotes[String(s.id)]; }).length;
      stage.appendChild(el("p", { class: "batch-head", text: t("phone.batch", { n: answered, m: shown.length }) }));
    }
    shown.forEach(function (s) { stage.appendChild(card(s)); });
  }

  function enqueue(ballot) {
    var queue = loadQueue().filter(function (b) { return b.statement_id !== ballot.statement_id; });
    queue.push(ballot);
    saveQueue(queue);
  }
  function dequeue(ballotIdValue) {
    saveQueue(loadQueue().filter(function (b) { return b.ballot_id !== ballotIdValue; }));
  }

  function send(ballot) {
    socket.timeout(8000).emit("cast_vote", ballot, function (err, ack) {
      if (err) return;  // no answer: the ballot stays queued and goes again on reconnect
      dequeue(ballot.ballot_id);
      if (ack && ack.ok) {
        myVotes[String(ack.statement_id)] = ack.choice;
        notes[ack.statement_id] = { text: t("phone.saved"), kind: "ok" };
      } else {
        notes[ballot.statement_id] = { text: (ack && ack.error) || t("error.bad_payload"), kind: "error" };
        resync();
      }
      render();
    });
  }

  function vote(statementId, choice) {
    var ballot = { statement_id: statementId, choice: choice, ballot_id: ballotId() };
    myVotes[String(statementId)] = choice;
    notes[statementId] = { text: socket.connected ? t("phone.sending") : t("phone.offline_saved"), kind: "pending" };
    enqueue(ballot);
    render();
    if (navigator.vibrate) navigator.vibrate(15);
    if (socket.connected) send(ballot);
  }

  function flush() { loadQueue().forEach(send); }

  function resync() {
    socket.emit("sync", {}, function (ack) { if (ack && ack.ok) onState(ack.state); });
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
  socket.on("connect_error", function (err) {
    if (err && err.message && !socket.active) window.location.href = "/" + data.code;
  });
  saveQueue(loadQueue());
})();
