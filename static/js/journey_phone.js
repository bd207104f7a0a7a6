/* The participant's journey page: role cards, placing them on stages, handoffs, reactions. */
(function () {
  "use strict";
  var B = window.Brygga, t = B.t, el = B.el, data = B.data;
  var board = null;
  var mine = { placements: [], handoffs: [], reactions: {} };
  var notes = {};          // "p12" / "h3" -> {text, kind} shown under one of my entries
  var tab = "roles";
  var sheet = { role: null, picked: [], batch: null, results: {} };
  var socket;
  var outbox = new B.Outbox("brygga:journey:" + data.code, onAnswer, showPending);
  var $ = function (id) { return document.getElementById(id); };

  // --- Reading the board ---------------------------------------------------------------------

  function roleName(role) { return (role.name && (role.name[data.lang] || role.name.sv)) || ""; }
  function stageLabel(stage) { return (data.lang === "en" && stage.label_en) || stage.label; }
  function byId(list, id) {
    for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
    return null;
  }
  function role(id) { return byId(board.roles, id); }
  function stage(id) { return byId(board.stages, id); }
  function stageNumber(id) {
    for (var i = 0; i < board.stages.length; i++) if (board.stages[i].id === id) return i + 1;
    return 0;
  }
  function isMine(list, id) { return list.indexOf(id) !== -1; }
  function queued(event) {
    return outbox.load().filter(function (op) { return op.event === event; });
  }
  function transitionLabel(tr) {
    var from = stage(tr.from_id), to = stage(tr.to_id);
    // The numbers and the "back" mark first: a select on a narrow phone cuts off the end.
    return stageNumber(tr.from_id) + " → " + stageNumber(tr.to_id) +
      (tr.kind === "back" ? " (" + t("pj.back") + ")" : "") + " · " +
      (from ? stageLabel(from) : tr.from_label) + " → " + (to ? stageLabel(to) : tr.to_label);
  }
  function modeLabel(mode) {
    if (!mode) return null;
    return data.modes.indexOf(mode) !== -1 ? t("pj.mode." + mode) : mode;  // imported maps say it freely
  }
  function orgText(placement) {
    return placement.organisation || t("pj.no_org_short");
  }

  /* Who has this role on a stage already. The person and their network are placed without an
     organisation: for them "present here" says it (as the board's "Finns med"). */
  function alreadyThere(r, here) {
    if (!r.professional && here.every(function (p) { return !p.organisation; })) return t("pj.present_here");
    return t("pj.already_there", { orgs: here.map(orgText).join(", ") });
  }

  /* Roles on a stage: on the board, or in a placement still waiting in the outbox. */
  function rolesOn(stageId) {
    var ids = {};
    board.placements.forEach(function (p) { if (p.stage_id === stageId) ids[p.role_id] = "placed"; });
    queued("journey_place").forEach(function (op) {
      if (op.payload.stage_id === stageId && !ids[op.payload.role_id]) ids[op.payload.role_id] = "queued";
    });
    return board.roles.filter(function (r) { return ids[r.id]; }).map(function (r) {
      return { role: r, queued: ids[r.id] === "queued" };
    });
  }

  // --- Small pieces --------------------------------------------------------------------------

  function toast(text, kind) {
    var box = $("toast");
    $("toast-text").textContent = text;
    box.dataset.kind = kind || "ok";
    box.hidden = false;
    clearTimeout(toast.timer);
    if (kind !== "error") toast.timer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  function showPending(queue) {
    var box = $("pending");
    box.hidden = queue.length === 0;
    box.textContent = queue.length ? t("pj.queued", { n: queue.length }) : "";
  }

  function note(key) {
    var n = notes[key];
    return n ? el("p", { class: "jp-note", "data-kind": n.kind, text: n.text }) : null;
  }

  function codeBadge(r) { return el("span", { class: "jp-code", text: r.code }); }

  function button(text, cls, onClick, attrs) {
    var b = el("button", Object.assign({ type: "button", class: cls, text: text }, attrs || {}));
    b.addEventListener("click", onClick);
    return b;
  }

  // --- Tabs ----------------------------------------------------------------------------------

  function showTab(name, focus) {
    tab = name;
    $("toast").hidden = true;  // it was about the other tab
    document.querySelectorAll("#tabs [role=tab]").forEach(function (b) {
      var on = b.dataset.tab === name;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
      $(b.getAttribute("aria-controls")).hidden = !on || !board || !board.journey_open;
      if (on && focus) b.focus();
    });
    if (history.replaceState) history.replaceState(null, "", "#" + name);
    window.scrollTo(0, 0);
  }

  // --- Role cards ----------------------------------------------------------------------------

  function myStagesFor(r) {
    return board.placements.filter(function (p) {
      return p.role_id === r.id && isMine(mine.placements, p.id);
    }).map(function (p) { return stageNumber(p.stage_id); }).sort(function (a, b) { return a - b; });
  }

  function roleCard(r) {
    var examples = (r.examples && (r.examples[data.lang] || r.examples.sv)) || [];
    var placed = myStagesFor(r);
    var card = el("button", {
      type: "button", class: "jp-role", "data-role-id": r.id, "aria-haspopup": "dialog"
    }, [
      el("span", { class: "jp-role-head" }, [
        codeBadge(r),
        el("span", { class: "jp-role-name", text: roleName(r) }),
        el("span", { class: "jp-plus", "aria-hidden": "true", text: "+" })
      ]),
      el("span", { class: "jp-role-does", text: (r.does && (r.does[data.lang] || r.does.sv)) || "" }),
      examples.length ? el("span", { class: "jp-role-examples", text: t("pj.examples", { list: examples.join(", ") }) }) : null,
      placed.length ? el("span", { class: "jp-role-placed", text: t("pj.you_placed", { stages: placed.join(", ") }) }) : null
    ]);
    card.addEventListener("click", function () { openSheet(r.id); });
    return card;
  }

  function renderRoles() {
    ["primary", "secondary"].forEach(function (tier) {
      $("roles-" + tier).replaceChildren.apply($("roles-" + tier), board.roles.filter(function (r) {
        return r.tier === tier;
      }).map(roleCard));
    });
  }

  // --- The placement sheet -------------------------------------------------------------------

  function openSheet(roleId) {
    var r = role(roleId);
    if (!r) return;
    sheet = { role: roleId, picked: [], batch: null, results: {} };
    $("sheet-code").textContent = t("pj.role_code", { code: r.code });
    $("sheet-title").textContent = roleName(r);
    $("sheet-does").textContent = (r.does && (r.does[data.lang] || r.does.sv)) || "";
    $("sheet-needs").value = "";
    $("sheet-obstacles").value = "";
    fillOrganisations(r);
    renderSheet();
    var dialog = $("sheet");
    if (!dialog.open) dialog.showModal();
    $("sheet-stages").querySelector("button") && $("sheet-stages").querySelector("button").focus();
  }

  function fillOrganisations(r) {
    var select = $("sheet-org");
    var options = [];
    if (!r.professional) options.push(el("option", { value: "", text: t("pj.no_organisation") }));
    board.organisations.forEach(function (o) {
      var label = o.name + (o.id === data.org_id ? " (" + t("pj.own_org") + ")" : "");
      options.push(el("option", { value: String(o.id), text: label }));
    });
    select.replaceChildren.apply(select, options);
    select.value = r.professional ? String(data.org_id) : "";
  }

  function renderSheet() {
    var r = role(sheet.role);
    if (!r) { closeSheet(); return; }
    var picks = board.stages.map(function (s) {
      var here = board.placements.filter(function (p) { return p.role_id === r.id && p.stage_id === s.id; });
      var on = sheet.picked.indexOf(s.id) !== -1;
      var pick = el("button", {
        type: "button", class: "jp-pick", "data-stage-id": s.id, "aria-pressed": on ? "true" : "false"
      }, [
        el("span", { class: "jp-pick-n", text: String(stageNumber(s.id)) }),
        el("span", { class: "jp-pick-text" }, [
          el("span", { class: "jp-pick-label", text: stageLabel(s) }),
          here.length ? el("small", { text: alreadyThere(r, here) }) : null
        ]),
        el("span", { class: "jp-pick-check", "aria-hidden": "true", text: on ? "✓" : "" })
      ]);
      pick.addEventListener("click", function () {
        var i = sheet.picked.indexOf(s.id);
        if (i === -1) sheet.picked.push(s.id); else sheet.picked.splice(i, 1);
        renderSheet();
      });
      return pick;
    });
    $("sheet-stages").replaceChildren.apply($("sheet-stages"), picks);
    var lines = Object.keys(sheet.results).map(function (key) {
      var res = sheet.results[key];
      return el("li", { "data-kind": res.kind, text: res.text });
    });
    $("sheet-result").replaceChildren.apply($("sheet-result"), lines);
    var n = sheet.picked.length;
    $("sheet-save").textContent = n > 1 ? t("pj.place_n", { n: n }) : t("pj.place");
  }

  /* After a save or an answer: the outcome, in view above the buttons. */
  function showResults() {
    renderSheet();
    if ($("sheet-result").children.length) $("sheet-result").scrollIntoView({ block: "nearest" });
  }

  function closeSheet() {
    var dialog = $("sheet");
    if (dialog.open) dialog.close();
    sheet = { role: null, picked: [], batch: null, results: {} };
  }

  function savePlacement(event) {
    event.preventDefault();
    var r = role(sheet.role);
    if (!r) return;
    if (!sheet.picked.length) {
      var sending = Object.keys(sheet.results).some(function (k) { return sheet.results[k].kind === "pending"; });
      if (sending) return;  // a second tap on the button while the first one is on its way
      sheet.results = { pick: { kind: "error", text: t("pj.pick_stage") } };
      showResults();
      return;
    }
    var batch = B.newId();
    var org = $("sheet-org").value;
    var needs = $("sheet-needs").value.trim(), obstacles = $("sheet-obstacles").value.trim();
    var stages = board.stages.filter(function (s) { return sheet.picked.indexOf(s.id) !== -1; });
    sheet.batch = batch;
    sheet.results = {};
    stages.forEach(function (s) {
      var payload = { role_id: r.id, stage_id: s.id, client_id: B.newId() };
      if (org) payload.organisation_id = Number(org);
      if (needs) payload.needs = needs;
      if (obstacles) payload.obstacles = obstacles;
      sheet.results[payload.client_id] = { kind: "pending", text: t("pj.sending_to", { stage: stageLabel(s) }) };
      outbox.add("journey_place", payload, { batch: batch, size: stages.length });
    });
    sheet.picked = [];
    if (!socket.connected) {
      closeSheet();
      toast(t("pj.queued_flash"), "pending");
      render();
      return;
    }
    showResults();
  }

  function placeAnswered(op, ack) {
    var s = stage(op.payload.stage_id), r = role(op.payload.role_id);
    var label = s ? stageLabel(s) : "";
    var result = ack.ok
      ? { kind: "ok", text: t("pj.placed_on", { stage: label }) }
      : { kind: "error", text: ack.error || t("error.bad_payload") };
    if (sheet.batch && sheet.batch === op.meta.batch) {
      sheet.results[op.id] = result;
      var all = Object.keys(sheet.results).map(function (k) { return sheet.results[k]; });
      var done = all.every(function (x) { return x.kind !== "pending"; });
      var good = all.every(function (x) { return x.kind === "ok"; });
      if (done && good) {
        closeSheet();
        toast(t("pj.placed_flash", { role: r ? roleName(r) : "", n: all.length }), "ok");
      } else {
        showResults();
      }
    } else {
      toast(ack.ok ? (r ? roleName(r) : "") + ": " + result.text : result.text, result.kind);
    }
  }

  // --- The journey overview ------------------------------------------------------------------

  function reactButtons(p) {
    var current = mine.reactions[String(p.id)] || null;
    return el("div", { class: "jp-react", role: "group", "aria-label": t("pj.react_label") },
      ["agree", "dispute"].map(function (kind) {
        var on = current === kind;
        return button(t("pj." + kind) + " " + p[kind], "jp-react-" + kind, function () {
          react(p.id, on ? null : kind);
        }, { "aria-pressed": on ? "true" : "false" });
      }));
  }

  /* A placement; on the overview with reactions and a "yours" tag, in "Mine" without. */
  function placementItem(p, onOverview) {
    var r = role(p.role_id);
    var own = isMine(mine.placements, p.id);
    return el("li", {
      class: "jp-placement" + (own ? " is-mine" : ""),
      "data-placement-id": p.id, "data-role-id": p.role_id, "data-stage-id": p.stage_id
    }, [
      el("p", { class: "jp-placement-head" }, [
        r ? codeBadge(r) : null,
        el("span", { class: "jp-placement-role", text: r ? roleName(r) : "" })
      ]),
      el("p", { class: "jp-placement-org" }, [
        el("span", { text: orgText(p) }),
        own && onOverview ? el("span", { class: "tag", text: t("pj.yours") }) : null
      ]),
      p.needs ? el("p", { class: "jp-text", text: t("pj.needs_short", { text: p.needs }) }) : null,
      p.obstacles ? el("p", { class: "jp-text", text: t("pj.obstacles_short", { text: p.obstacles }) }) : null,
      onOverview && !own ? reactButtons(p) : null,
      note("p" + p.id)
    ]);
  }

  function renderJourney() {
    var box = $("journey-stages");
    var open = {};
    box.querySelectorAll("details[open]").forEach(function (d) { open[d.dataset.stageId] = true; });
    box.replaceChildren.apply(box, board.stages.map(function (s) {
      var here = board.placements.filter(function (p) { return p.stage_id === s.id; });
      var details = el("details", { class: "jp-stage", "data-stage-id": s.id }, [
        el("summary", {}, [
          el("span", { class: "jp-pick-n", text: String(stageNumber(s.id)) }),
          el("span", { class: "jp-stage-label", text: stageLabel(s) }),
          el("span", { class: "count", text: String(here.length) })
        ]),
        here.length
          ? el("ul", { class: "jp-list" }, here.map(function (p) { return placementItem(p, true); }))
          : el("p", { class: "muted", text: t("pj.no_roles_here") })
      ]);
      if (open[String(s.id)]) details.open = true;
      return details;
    }));
  }

  function react(placementId, kind) {
    mine.reactions[String(placementId)] = kind;
    if (!kind) delete mine.reactions[String(placementId)];
    outbox.add("journey_react", { placement_id: placementId, kind: kind }, {}, function (old) {
      return old.event === "journey_react" && old.payload.placement_id === placementId;
    });
    render();
  }

  // --- My placements -------------------------------------------------------------------------

  function renderMine() {
    var own = board.placements.filter(function (p) { return isMine(mine.placements, p.id); });
    var waiting = queued("journey_place");
    var items = own.map(function (p) {
      var item = placementItem(p, false);
      var s = stage(p.stage_id);
      item.insertBefore(el("p", { class: "jp-placement-stage", text: stageNumber(p.stage_id) + ". " + (s ? stageLabel(s) : "") }), item.children[1]);
      item.appendChild(button(t("pj.take_back"), "button ghost jp-take-back", function () {
        delete notes["p" + p.id];
        outbox.add("journey_withdraw", { placement_id: p.id }, {});
      }));
      return item;
    }).concat(waiting.map(function (op) {
      var r = role(op.payload.role_id), s = stage(op.payload.stage_id);
      return el("li", { class: "jp-placement is-queued" }, [
        el("p", { class: "jp-placement-head" }, [r ? codeBadge(r) : null, el("span", { class: "jp-placement-role", text: r ? roleName(r) : "" })]),
        el("p", { class: "jp-placement-stage", text: s ? stageNumber(s.id) + ". " + stageLabel(s) : "" }),
        el("p", { class: "jp-note", "data-kind": "pending", text: t("pj.waiting_send") })
      ]);
    }));
    var list = $("my-placements");
    if (!items.length) items = [el("li", { class: "jp-empty" }, [
      el("p", { class: "muted", text: t("pj.no_placements") }),
      button(t("pj.go_place"), "button", function () { showTab("roles", true); })
    ])];
    list.replaceChildren.apply(list, items);
    var count = $("mine-count");
    count.hidden = own.length === 0;
    count.textContent = String(own.length);
  }

  // --- Handoffs ------------------------------------------------------------------------------

  function fillSelect(select, options, placeholder) {
    var keep = select.value;
    var nodes = [el("option", { value: "", text: placeholder })].concat(options.map(function (o) {
      return el("option", { value: String(o.value), text: o.text });
    }));
    select.replaceChildren.apply(select, nodes);
    select.value = options.some(function (o) { return String(o.value) === keep; }) ? keep : "";
  }

  function fillEnd(which, stageId) {
    var select = $("h-" + which), none = $("h-" + which + "-none"), where = $("h-" + which + "-stage");
    var s = stageId ? stage(stageId) : null;
    where.textContent = s ? t("pj.on_stage", { stage: stageLabel(s) }) : "";
    where.hidden = !s;
    var roles = s ? rolesOn(s.id) : [];
    fillSelect(select, roles.map(function (x) {
      return { value: x.role.id, text: x.role.code + " · " + roleName(x.role) + (x.queued ? " (" + t("pj.waiting_send") + ")" : "") };
    }), t("pj.pick_role"));
    select.disabled = !s || !roles.length;
    none.hidden = !s || roles.length > 0;
    if (s && !roles.length) {
      none.replaceChildren(
        el("p", { text: t("pj.none_placed", { stage: stageLabel(s) }) }),
        button(t("pj.go_place"), "button small", function () { showTab("roles", true); })
      );
    }
  }

  function renderHandoffForm() {
    fillSelect($("h-transition"), board.transitions.map(function (tr) {
      return { value: tr.id, text: transitionLabel(tr) };
    }), t("pj.pick_transition"));
    var tr = byId(board.transitions, Number($("h-transition").value));
    fillEnd("from", tr ? tr.from_id : null);
    fillEnd("to", tr ? tr.to_id : null);
  }

  function handoffItem(h, queuedOp) {
    var from = role(h.from_role_id), to = role(h.to_role_id), tr = byId(board.transitions, h.transition_id);
    var details = [modeLabel(h.mode), h.acknowledged ? t("pj.acknowledged_yes") : t("pj.acknowledged_no")];
    var item = el("li", { class: "jp-handoff" + (queuedOp ? " is-queued" : ""), "data-handoff-id": h.id || "" }, [
      el("p", { class: "jp-handoff-roles" }, [
        from ? codeBadge(from) : null, el("span", { text: from ? roleName(from) : "" }),
        el("span", { class: "jp-arrow", "aria-hidden": "true", text: "→" }),
        to ? codeBadge(to) : null, el("span", { text: to ? roleName(to) : "" })
      ]),
      el("p", { class: "jp-text", text: tr ? transitionLabel(tr) : "" }),
      el("p", { class: "jp-text muted", text: details.filter(Boolean).join(" · ") }),
      h.notes ? el("p", { class: "jp-text", text: h.notes }) : null,
      h.counted === false ? el("p", { class: "jp-note", "data-kind": "error", text: t("pj.not_counted") }) : null,
      queuedOp ? el("p", { class: "jp-note", "data-kind": "pending", text: t("pj.waiting_send") }) : note("h" + h.id)
    ]);
    if (!queuedOp) {
      item.appendChild(button(t("pj.take_back"), "button ghost jp-take-back", function () {
        delete notes["h" + h.id];
        outbox.add("journey_withdraw_handoff", { handoff_id: h.id }, {});
      }));
    }
    return item;
  }

  function renderMyHandoffs() {
    var items = board.handoffs.filter(function (h) { return isMine(mine.handoffs, h.id); })
      .map(function (h) { return handoffItem(h, false); })
      .concat(queued("journey_handoff").map(function (op) { return handoffItem(op.payload, true); }));
    if (!items.length) items = [el("li", { class: "jp-empty muted", text: t("pj.no_handoffs") })];
    $("my-handoffs").replaceChildren.apply($("my-handoffs"), items);
  }

  function setStatus(text, kind) {
    var status = $("h-status");
    status.textContent = text;
    status.dataset.kind = kind;
  }

  function saveHandoff(event) {
    event.preventDefault();
    var transition = Number($("h-transition").value), from = Number($("h-from").value), to = Number($("h-to").value);
    if (!transition || !from || !to) { setStatus(t("pj.handoff_incomplete"), "error"); return; }
    var payload = {
      transition_id: transition, from_role_id: from, to_role_id: to, client_id: B.newId(),
      acknowledged: $("h-ack").checked
    };
    if ($("h-mode").value) payload.mode = $("h-mode").value;
    if ($("h-notes").value.trim()) payload.notes = $("h-notes").value.trim();
    setStatus(socket.connected ? t("pj.sending") : t("pj.queued_flash"), "pending");
    outbox.add("journey_handoff", payload, {});
    render();
  }

  function handoffAnswered(op, ack) {
    if (ack.ok) {
      setStatus(t("pj.handoff_saved"), "ok");
      $("h-notes").value = "";
      $("h-ack").checked = false;
      $("h-mode").value = "";
    } else {
      setStatus(ack.error || t("error.bad_payload"), "error");
    }
  }

  // --- Answers from the server ---------------------------------------------------------------

  function onAnswer(op, ack) {
    if (ack.mine) mine = ack.mine;
    if (op.event === "journey_place") placeAnswered(op, ack);
    else if (op.event === "journey_handoff") handoffAnswered(op, ack);
    else if (!ack.ok) {
      var key = op.event === "journey_withdraw" ? "p" + op.payload.placement_id
        : op.event === "journey_withdraw_handoff" ? "h" + op.payload.handoff_id : null;
      if (key) notes[key] = { kind: "error", text: ack.error || t("error.bad_payload") };
      else toast(ack.error || t("error.bad_payload"), "error");
    }
    if (!ack.ok) sync();
    render();
  }

  function sync() {
    socket.emit("journey_sync", {}, function (ack) {
      if (!ack || !ack.ok) return;
      if (ack.mine) mine = ack.mine;
      onBoard(ack.board);
    });
  }

  function onBoard(next) {
    board = next;
    render();
  }

  function render() {
    if (!board) return;
    var open = !!board.journey_open;
    $("loading").hidden = true;
    $("closed").hidden = open;
    $("tabs").hidden = !open;
    document.body.classList.toggle("jp-has-tabs", open);
    if (!open) {
      closeSheet();
      document.querySelectorAll(".jp-panel").forEach(function (p) { p.hidden = true; });
      return;
    }
    renderRoles();
    renderJourney();
    renderHandoffForm();
    renderMyHandoffs();
    renderMine();
    if (sheet.role) renderSheet();
    document.querySelectorAll(".jp-panel").forEach(function (p) {
      p.hidden = p.id !== "panel-" + tab;
    });
  }

  // --- Wiring --------------------------------------------------------------------------------

  document.querySelectorAll("#tabs [role=tab]").forEach(function (b) {
    b.addEventListener("click", function () { showTab(b.dataset.tab); });
    b.addEventListener("keydown", function (event) {
      var tabs = Array.prototype.slice.call(document.querySelectorAll("#tabs [role=tab]"));
      var i = tabs.indexOf(b), step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) showTab(tabs[(i + step + tabs.length) % tabs.length].dataset.tab, true);
    });
  });
  $("place-form").addEventListener("submit", savePlacement);
  $("sheet-cancel").addEventListener("click", closeSheet);
  $("sheet-close").addEventListener("click", closeSheet);
  $("sheet").addEventListener("close", function () { sheet.role = null; sheet.batch = null; });
  $("sheet").addEventListener("click", function (event) {
    if (event.target === $("sheet")) closeSheet();  // a tap on the backdrop
  });
  $("handoff-form").addEventListener("submit", saveHandoff);
  $("h-transition").addEventListener("change", function () { setStatus("", ""); renderHandoffForm(); });
  $("toast-close").addEventListener("click", function () { $("toast").hidden = true; });

  var fromHash = (location.hash || "").slice(1);
  if (["roles", "journey", "handoff", "mine"].indexOf(fromHash) !== -1) tab = fromHash;
  showTab(tab);

  /* The room votes (a role's validation): say so, with the way to the voting page. */
  socket = B.connect({ role: "participant", code: data.code }, function (state) {
    $("vote-open").hidden = !(state && state.open && state.open.length);
  });
  socket.on("board", onBoard);
  socket.on("connect", sync);
  outbox.attach(socket);
  showPending(outbox.load());
})();
