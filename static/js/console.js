/* The facilitator's console: run the statements, watch "n of m", peek, reveal, close. */
(function () {
  "use strict";
  var B = window.Brygga, t = B.t, el = B.el, data = B.data;
  var state = null, order = [], peekKey = "brygga:peek";
  var refreshTimer = null;

  function post(action, fields) {
    var body = new URLSearchParams();
    Object.keys(fields || {}).forEach(function (k) {
      [].concat(fields[k]).forEach(function (v) { body.append(k, v); });
    });
    return fetch(data.urls.action.replace("ACTION", action), {
      method: "POST",
      headers: { "X-CSRF-Token": data.csrf, "Accept": "application/json" },
      body: body,
      credentials: "same-origin"
    }).then(function (r) {
      // an answer that is not the app's JSON (a proxy's error page) fails like no answer
      return r.json();
    }).catch(function () {
      return { ok: false, error: t("console.request_failed") };
    }).then(function (res) {
      if (!res.ok) window.alert(res.error);
      refreshOrder();
      return res;
    });
  }

  /* "Role 5B · Primary" for a role statement, else "organisation · topic · perspective". */
  function eyebrow(s) {
    if (s.topic === "role" && s.role) {
      return t("roles.role_code", { code: s.role.code }) + " · " + t("roles.tier_short." + s.role.tier);
    }
    return s.organisation + " · " + B.kind(s);
  }

  function title(s) {
    return s.topic === "role" && s.role ? (s.role.name[data.lang] || s.role.name.sv) : s.text;
  }

  function button(label, cls, onClick, attrs) {
    var b = el("button", Object.assign({ type: "button", class: "button " + (cls || ""), text: label }, attrs || {}));
    b.addEventListener("click", onClick);
    return b;
  }

  /* Redraw ``box`` and give the focus back to the control with the same data-focus-key, else to
     the first of ``fallbacks`` found: a keyboard user keeps their place when a push redraws. */
  function keepFocus(box, draw, fallbacks) {
    var active = document.activeElement;
    var key = active && box.contains(active) ? active.dataset.focusKey : null;
    draw();
    if (!key) return;
    var again = ['[data-focus-key="' + key + '"]'].concat(fallbacks).reduce(function (found, selector) {
      return found || box.querySelector(selector + ":not(:disabled)");
    }, null);
    if (again) again.focus();
  }

  function nextStatement() {
    var visible = order.filter(function (s) { return !s.hidden; });
    var currentId = state && state.current ? state.current.id : null;
    var index = visible.findIndex(function (s) { return s.id === currentId; });
    return visible[index + 1] || null;
  }

  function renderCurrent() {
    var box = document.getElementById("current");
    keepFocus(box, function () { drawCurrent(box); }, ['[data-focus-key="reveal"]', "button"]);
  }

  function drawCurrent(box) {
    box.replaceChildren();
    var s = state && state.current;
    if (!s) {
      box.appendChild(el("p", { class: "muted", text: t("console.nothing_open") }));
      var first = nextStatement();
      if (first) box.appendChild(button(t("console.start"), "primary big", function () { post("open", { statement_id: first.id }); }, { "data-focus-key": "start" }));
      return;
    }
    var pct = s.eligible ? Math.min(100, Math.round((100 * s.voted) / s.eligible)) : 0;
    var fill = el("span", { class: "progress-fill" });
    fill.style.width = pct + "%";
    box.appendChild(el("p", { class: "eyebrow", text: eyebrow(s) }));
    box.appendChild(el("p", { class: "current-text", text: title(s) }));
    box.appendChild(el("div", { class: "voted-line" }, [
      el("span", { class: "stat-n", text: B.nOfM(state, s) }),
      el("span", { class: "muted", text: " " + t("progress.have_voted", { n: s.voted }) }),
      el("span", { class: "tag state-" + s.state, text: t("state." + s.state) }),
      s.revealed ? el("span", { class: "tag", text: t("console.revealed") }) : null
    ]));
    box.appendChild(el("div", { class: "progress-track", role: "progressbar", "aria-valuemin": "0",
      "aria-valuemax": String(s.eligible), "aria-valuenow": String(s.voted),
      "aria-label": t("progress.have_voted"),
      "aria-valuetext": B.nOfM(state, s) }, [fill]));
    /* Nobody in the room may answer (the one organisation that answers has nobody here):
       say so, rather than leave the room waiting at "0 of 0". */
    if (s.state === "open" && s.eligible === 0 && s.voted === 0 && state.joined > 0 && !B.recounting(state) && !state.everyone_may_answer && s.organisation) {
      var who = t(s.perspective === "own" ? "projector.who_own" : "projector.who_others", { org: s.organisation });
      box.appendChild(el("p", { class: "hint nobody-eligible", role: "status", text: t("console.nobody_eligible", { who: who }) }));
    }

    var peek = sessionStorage.getItem(peekKey) === "1";
    var peekBox = el("div", { class: "peek" });
    var toggle = el("button", { type: "button", class: "link", "aria-expanded": String(peek), "data-focus-key": "peek",
      text: peek ? t("console.peek_hide") : t("console.peek_show") });
    toggle.addEventListener("click", function () {
      sessionStorage.setItem(peekKey, peek ? "0" : "1");
      renderCurrent();
    });
    peekBox.appendChild(toggle);
    if (peek && s.tally) peekBox.appendChild(B.bars(s.tally));
    if (peek && s.withheld) peekBox.appendChild(el("p", { class: "hint withheld", text: t("anonymity.withheld", { threshold: state.anonymity_threshold }) }));
    if (peek && s.split) peekBox.appendChild(el("p", { class: "tag tag-split", text: "⇄ " + t("results.split") }));
    box.appendChild(peekBox);
    if (!s.revealed) box.appendChild(el("p", { class: "hint", text: t("console.hidden_from_room") }));

    var actions = el("div", { class: "row actions" });
    var slot = function (key) { return { "data-focus-key": key }; };
    if (s.state === "open") actions.appendChild(button(t("console.close"), "", function () { post("close", { statement_id: s.id }); }, slot("state")));
    else actions.appendChild(button(t("console.reopen"), "ghost", function () { post("open", { statement_id: s.id }); }, slot("state")));
    actions.appendChild(s.revealed
      ? button(t("console.unreveal"), "ghost", function () { post("hide-results", { statement_id: s.id }); }, slot("reveal"))
      : button(t("console.reveal"), "primary", function () { post("reveal", { statement_id: s.id }); }, slot("reveal")));
    var next = nextStatement();
    if (next) actions.appendChild(button(t("console.next") + " →", "", function () { post("open", { statement_id: next.id }); }, slot("next")));
    box.appendChild(actions);
    if (state.open.length > 1) {
      box.appendChild(el("p", { class: "hint", text: t("console.batch_open", { n: state.open.length }) }));
    }
  }

  function renderOrder() {
    var list = document.getElementById("order");
    keepFocus(list, function () { drawOrder(list); }, ["input", "button"]);
  }

  function drawOrder(list) {
    var currentId = state && state.current ? state.current.id : null;
    list.replaceChildren();
    if (!order.length) {
      list.appendChild(el("li", { class: "order-empty", text: t(data.kind === "ws2" ? "console.order_empty_ws2" : "console.order_empty") }));
    }
    order.forEach(function (s) {
      var check = el("input", { type: "checkbox", value: String(s.id), "aria-label": t("console.select") + ": " + title(s), "data-focus-key": "check" + s.id });
      check.disabled = s.hidden;
      check.addEventListener("change", updateBatchButton);
      var tags = el("span", { class: "tags" }, [
        el("span", { class: "tag state-" + s.state, text: t("state." + s.state) }),
        s.hidden ? el("span", { class: "tag", text: t("state.hidden") }) : null,
        s.voted ? el("span", { class: "tag", text: t("prepare.n_votes", { n: s.voted }) }) : null,
        s.discuss ? el("span", { class: "tag tag-discuss", text: "? " + s.discuss, title: t("console.discuss_n", { n: s.discuss }), "aria-label": t("console.discuss_n", { n: s.discuss }) }) : null
      ]);
      var item = el("li", { class: "order-item" + (s.id === currentId ? " is-current" : "") + (s.hidden ? " is-hidden" : "") }, [
        check,
        el("div", { class: "order-main" }, [
          el("p", { class: "eyebrow", text: eyebrow(s) }),
          el("p", { text: title(s) }),
          tags
        ])
      ]);
      if (!s.hidden) {
        item.appendChild(button(s.id === currentId ? t("console.on_screen") : t(s.state === "closed" ? "console.reopen" : "console.open"), "small" + (s.id === currentId ? " ghost" : ""),
          function () { post("open", { statement_id: s.id }); },
          Object.assign({ "data-focus-key": "open" + s.id }, s.id === currentId && s.state === "open" ? { disabled: "disabled" } : {})));
      }
      list.appendChild(item);
    });
    updateBatchButton();
  }

  function updateBatchButton() {
    var n = document.querySelectorAll("#order input:checked").length;
    var b = document.getElementById("open-batch");
    b.disabled = n === 0;
    b.textContent = n ? t("console.open_batch_n", { n: n }) : t("console.open_batch");
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); });
  }

  function refreshOrder() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      // Refused (logged out, the workshop gone) or unreachable: the order stays as drawn and
      // the connection badge says what is wrong
      getJson(data.urls.statements)
        .then(function (res) {
          if (!res || !Array.isArray(res.statements)) return;
          order = res.statements;
          renderOrder();
          renderCurrent();
        })
        .catch(function () {});
    }, 150);
  }

  document.getElementById("open-batch").addEventListener("click", function () {
    var ids = Array.prototype.map.call(document.querySelectorAll("#order input:checked"), function (c) { return c.value; });
    if (ids.length) post("open-batch", { statement_id: ids });
  });
  document.getElementById("close-all").addEventListener("click", function () { post("close-all", {}); });
  /* The help line under the count says what is happening for a while (a status that is read
     out), then explains again (silently: the status is emptied, not rewritten). */
  var rollCallTimer = null;
  document.getElementById("roll-call").addEventListener("click", function () {
    var help = document.getElementById("roll-call-help"), note = document.getElementById("roll-call-note");
    post("roll-call", {}).then(function (res) {
      if (!res.ok) return;
      help.hidden = true;
      note.textContent = t("console.roll_call_started");
      clearTimeout(rollCallTimer);
      rollCallTimer = setTimeout(function () {
        note.textContent = "";
        help.hidden = false;
      }, 4000);  // the phones have answered by then (the recount pause is 3 s)
    });
  });

  B.connect({ role: "facilitator", workshop_id: data.workshop_id }, function (next) {
    state = next;
    document.getElementById("joined").textContent = B.recounting(next) ? "\u2026" : String(next.joined);
    document.getElementById("joined-label").textContent = t("console.joined", { n: next.joined });
    renderCurrent();
    refreshOrder();
  });
})();
