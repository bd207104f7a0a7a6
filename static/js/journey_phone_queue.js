/* The journey phone's outbox: writes wait in localStorage until the server answers them.

   Each write keeps the id it was made with, so sending it again after a reconnect is harmless
   (the server recognises a client_id it has seen). Writes go one at a time, in order, so a
   handoff queued offline reaches the server after the placements it leans on. */
(function () {
  "use strict";
  var ANSWER_TIMEOUT = 8000;
  var RETRY_AFTER = 3000;

  function newId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  /* storageKey: where the queue lives; onAnswer(op, ack): the server answered op;
     onChange(queue): the queue grew or shrank. */
  function Outbox(storageKey, onAnswer, onChange) {
    this.key = storageKey;
    this.onAnswer = onAnswer;
    this.onChange = onChange;
    this.socket = null;
    this.sending = null;
    this.retry = null;
  }

  Outbox.prototype.load = function () {
    try {
      var queue = JSON.parse(localStorage.getItem(this.key));
      return Array.isArray(queue) ? queue : [];
    } catch (e) { return []; }
  };

  Outbox.prototype.save = function (queue) {
    try { localStorage.setItem(this.key, JSON.stringify(queue)); } catch (e) { /* private mode */ }
    this.onChange(queue);
  };

  /* Queue a write; `replaces(op)` drops older queued writes it supersedes (a changed reaction). */
  Outbox.prototype.add = function (event, payload, meta, replaces) {
    var op = { id: payload.client_id || newId(), event: event, payload: payload, meta: meta || {} };
    var queue = this.load().filter(function (old) {
      return old.id === (this.sending && this.sending.id) || !(replaces && replaces(old));
    }, this);
    queue.push(op);
    this.save(queue);
    this.flush();
    return op;
  };

  Outbox.prototype.remove = function (opId) {
    this.save(this.load().filter(function (op) { return op.id !== opId; }));
  };

  Outbox.prototype.attach = function (socket) {
    this.socket = socket;
    var self = this;
    socket.on("connect", function () { self.sending = null; self.flush(); });
  };

  Outbox.prototype.flush = function () {
    var self = this;
    if (this.sending || !this.socket || !this.socket.connected) return;
    var op = this.load()[0];
    if (!op) return;
    this.sending = op;
    this.socket.timeout(ANSWER_TIMEOUT).emit(op.event, op.payload, function (err, ack) {
      if (self.sending !== op) return;  // a reconnect started over in the meantime
      self.sending = null;
      if (err) {
        // No answer: the write stays queued and goes again (the server ignores a repeat).
        clearTimeout(self.retry);
        self.retry = setTimeout(function () { self.flush(); }, RETRY_AFTER);
        return;
      }
      self.remove(op.id);
      self.onAnswer(op, ack || { ok: false });
      self.flush();
    });
  };

  window.Brygga.Outbox = Outbox;
  window.Brygga.newId = newId;
})();
