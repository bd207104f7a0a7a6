/* The journey board grid, shared by the facilitator's board and the projector: stages as
   columns, a narrow column per forward step between them (its gap marker and handoffs), roles
   as rows, placement chips in the cells. Built with textContent only: notes are hostile input. */
(function () {
  "use strict";
  var B = window.Brygga, t = B.t, el = B.el, data = B.data;
  var GRADE_ICON = { gap: "\u2b23", fragile: "\u25b2", robust: "\u25cf" };
  var seen = null; // placement and handoff ids already shown, to mark what arrives live
  var names = {}; // stage id -> label in the page's language

  function stageLabel(stage) {
    return (data.lang === "en" && stage.label_en) || stage.label;
  }

  function roleName(role) {
    return (role.name && (role.name[data.lang] || role.name.sv)) || role.code;
  }

  function transitionLabel(tr) {
    return (data.lang === "en" && tr.label_en) || tr.label || "";
  }

  /* The analysis of each transition, by "s<from>>s<to>". */
  function gradeIndex(board) {
    names = {};
    board.stages.forEach(function (s) { names[s.id] = stageLabel(s); });
    var out = {};
    ((board.analysis && board.analysis.transitions) || []).forEach(function (a) {
      out[a.from + ">" + a.to] = a;
    });
    return out;
  }

  function roleCodes(board) {
    var out = {};
    board.roles.forEach(function (r) { out[r.id] = r.code; });
    return out;
  }

  /* A gap marker: shape, word and k, never colour alone. */
  function marker(tr, analysis, codes, opts) {
    var grade = analysis ? analysis.grade : "none";
    var word = analysis ? t("board.grade." + grade) : "–";
    var explain = analysis ? t("board.explain." + grade, {
      k: analysis.k,
      roles: (analysis.single_points || analysis.cut || []).join(", ")
    }) : t("board.no_analysis");
    var owners = (tr.owners || []).map(function (id) { return codes[id] || "?"; });
    var title = (names[tr.from_id] || tr.from_label) + (tr.kind === "back" ? " \u21a9 " : " \u2192 ") + (names[tr.to_id] || tr.to_label) + ": " + explain +
      (owners.length ? " \u00b7 " + t("board.owners", { roles: owners.join(", ") }) : "");
    var node = el(opts && opts.tag || "span", {
      class: "marker marker-" + grade + (tr.kind === "back" ? " is-back" : ""),
      "data-transition-id": String(tr.id),
      "data-grade": analysis ? grade : "",
      title: title,
      "aria-label": title
    }, [
      el("span", { class: "marker-icon", "aria-hidden": "true", text: GRADE_ICON[grade] || "\u2013" }),
      el("span", { class: "marker-word", text: word }),
      analysis ? el("span", { class: "marker-k", text: t("board.k_roles", { n: analysis.k }) }) : null
    ]);
    return node;
  }

  function handoffChip(h, codes, opts) {
    var ack = h.acknowledged;
    var label = t("board.handoff_aria", { from: codes[h.from_role_id] || "?", to: codes[h.to_role_id] || "?" }) +
      ", " + t(ack ? "board.acknowledged" : "board.unacknowledged") +
      (h.counted ? "" : ", " + t("board.not_counted")) +
      (h.placed_by ? ", " + t("board.placed_by", { org: h.placed_by }) : "");
    var attrs = {
      class: "handoff-chip" + (ack ? " is-ack" : " is-unack") + (h.counted ? "" : " is-uncounted") + (isNew("h" + h.id) ? " is-new" : ""),
      "data-handoff-id": String(h.id),
      title: label,
      "aria-label": label
    };
    var children = [
      el("span", { class: "handoff-arrow", "aria-hidden": "true", text: opts.full ? (codes[h.from_role_id] || "?") + " \u2192" : "\u2192" }),
      el("span", { class: "handoff-to", text: codes[h.to_role_id] || "?" }),
      el("span", { class: "handoff-ack", "aria-hidden": "true", text: ack ? "\u2713" : "?" })
    ];
    if (opts.links) {
      attrs.href = data.urls.handoff + h.id;
      attrs["data-focus-key"] = "h" + h.id;
      return el("a", attrs, children);
    }
    return el("span", attrs, children);
  }

  function isNew(key) {
    return seen !== null && !seen[key];
  }

  function notes(p) {
    if (!p.needs && !p.obstacles) return null;
    var body = el("div", { class: "p-notes-body" });
    if (p.needs) body.appendChild(el("p", {}, [el("strong", { text: t("board.needs") + ": " }), document.createTextNode(p.needs)]));
    if (p.obstacles) body.appendChild(el("p", {}, [el("strong", { text: t("board.obstacles") + ": " }), document.createTextNode(p.obstacles)]));
    return el("details", { class: "p-notes", "data-key": "n" + p.id }, [
      el("summary", { text: t("board.notes") }),
      body
    ]);
  }

  function placementChip(p, role, opts) {
    // the person and their network fill no organisation: "present" says enough
    var org = p.organisation || (role.professional ? t("board.no_org") : t("board.present"));
    var parts = [];
    if (opts.links) {
      parts.push(el("a", { class: "p-org", href: data.urls.placement + p.id, "data-focus-key": "p" + p.id, text: org }));
    } else {
      parts.push(el("span", { class: "p-org", text: org }));
    }
    var meta = el("span", { class: "p-meta" });
    if (p.placed_by && !opts.projector) meta.appendChild(el("span", { class: "p-by", text: t("board.placed_by", { org: p.placed_by }) }));
    if (p.agree) meta.appendChild(el("span", { class: "p-agree", title: t("board.agree_n", { n: p.agree }), "aria-label": t("board.agree_n", { n: p.agree }), text: "\u2713" + p.agree }));
    if (p.dispute) meta.appendChild(el("span", { class: "p-dispute", title: t("board.dispute_n", { n: p.dispute }), "aria-label": t("board.dispute_n", { n: p.dispute }), text: "\u2717" + p.dispute }));
    if (meta.childNodes.length) parts.push(meta);
    if (!opts.projector) parts.push(notes(p));
    return el("div", {
      class: "chip-p" + (p.dispute ? " is-disputed" : "") + (isNew("p" + p.id) ? " is-new" : "") + (p.principal ? " principal-edge-" + p.principal : "") + (p.organisation ? "" : " is-present"),
      "data-placement-id": String(p.id)
    }, parts);
  }

  /* Why a cell is in question: disputes, or different organisations filling the same role. */
  function disputeReason(list) {
    var disputes = list.reduce(function (n, p) { return n + (p.dispute || 0); }, 0);
    var orgs = {};
    list.forEach(function (p) { if (p.organisation_id) orgs[p.organisation_id] = true; });
    var reasons = [];
    if (disputes) reasons.push(t("board.dispute_n", { n: disputes }));
    if (Object.keys(orgs).length > 1) reasons.push(t("board.different_orgs", { n: Object.keys(orgs).length }));
    return reasons.join(" \u00b7 ");
  }

  /* Columns: the stages in order; a transition column between each neighbouring pair. */
  function layout(board) {
    var stages = board.stages;
    var between = [];
    var adjacent = {};
    for (var i = 0; i + 1 < stages.length; i++) {
      var tr = board.transitions.filter(function (x) { return x.from_id === stages[i].id && x.to_id === stages[i + 1].id; })[0] || null;
      between.push(tr);
      if (tr) adjacent[tr.id] = true;
    }
    var others = board.transitions.filter(function (x) { return !adjacent[x.id]; });
    return { stages: stages, between: between, others: others };
  }

  function render(target, board, opts) {
    opts = opts || {};
    var open = {};
    target.querySelectorAll("details[open][data-key]").forEach(function (d) { open[d.dataset.key] = true; });
    var focused = document.activeElement && target.contains(document.activeElement) && document.activeElement.dataset
      ? document.activeElement.dataset.focusKey : null;

    var cols = layout(board);
    var grades = gradeIndex(board);
    var codes = roleCodes(board);
    var byCell = {};
    board.placements.forEach(function (p) {
      (byCell[p.role_id + ":" + p.stage_id] = byCell[p.role_id + ":" + p.stage_id] || []).push(p);
    });
    var handoffsAt = {};
    board.handoffs.forEach(function (h) {
      var key = h.transition_id + ":" + h.from_role_id;
      (handoffsAt[key] = handoffsAt[key] || []).push(h);
    });

    var table = el("table", { class: "board-table" + (opts.projector ? " is-projector" : "") });
    var colgroup = el("colgroup", {}, [el("col", { class: "col-role" })]);
    cols.stages.forEach(function (s, i) {
      colgroup.appendChild(el("col", { class: "col-stage" }));
      if (i < cols.between.length) colgroup.appendChild(el("col", { class: "col-transition" }));
    });
    table.appendChild(colgroup);

    var head = el("tr", {}, [el("th", { scope: "col", class: "corner", text: t("board.role") })]);
    cols.stages.forEach(function (s, i) {
      head.appendChild(el("th", { scope: "col", class: "stage-head", "data-stage-id": String(s.id) }, [
        el("span", { class: "stage-n", text: String(i + 1) }),
        el("span", { class: "stage-name", text: stageLabel(s) })
      ]));
      if (i < cols.between.length) {
        var tr = cols.between[i];
        head.appendChild(el("th", { scope: "col", class: "transition-head" }, [
          tr ? marker(tr, grades["s" + tr.from_id + ">s" + tr.to_id], codes) : el("span", { class: "no-transition", title: t("board.no_transition"), "aria-label": t("board.no_transition"), text: "\u2215" })
        ]));
      }
    });
    table.appendChild(el("thead", {}, [head]));

    var body = el("tbody");
    board.roles.forEach(function (role) {
      var row = el("tr", { class: "role-row" + (role.professional ? "" : " is-person") + (role.tier === "secondary" ? " is-secondary" : "") });
      row.appendChild(el("th", { scope: "row", class: "role-head", title: roleName(role) }, [
        el("span", { class: "role-code", text: role.code }),
        el("span", { class: "role-name", text: roleName(role) })
      ]));
      cols.stages.forEach(function (s, i) {
        var list = byCell[role.id + ":" + s.id] || [];
        var reason = disputeReason(list);
        var cell = el("td", { class: "cell" + (list.length ? " is-filled" : "") + (reason ? " is-disputed" : ""), "data-cell": role.id + ":" + s.id });
        if (reason) {
          cell.appendChild(el("p", { class: "disputed-flag", title: t("board.disputed") + ": " + reason }, [
            el("span", { "aria-hidden": "true", text: "\u26a0 " }),
            el("span", { class: "disputed-word", text: t("board.disputed") }),
            el("span", { class: "sr-only", text: ": " + reason })
          ]));
        }
        list.forEach(function (p) { cell.appendChild(placementChip(p, role, opts)); });
        row.appendChild(cell);
        if (i < cols.between.length) {
          var tr = cols.between[i];
          var tcell = el("td", { class: "tcell" });
          if (tr) {
            tcell.setAttribute("data-tcell", role.id + ":" + tr.id);
            (handoffsAt[tr.id + ":" + role.id] || []).forEach(function (h) { tcell.appendChild(handoffChip(h, codes, opts)); });
          }
          row.appendChild(tcell);
        }
      });
      body.appendChild(row);
    });
    table.appendChild(body);
    target.replaceChildren(table);

    target.querySelectorAll("details[data-key]").forEach(function (d) { if (open[d.dataset.key]) d.open = true; });
    if (focused) {
      var again = target.querySelector('[data-focus-key="' + focused + '"]');
      if (again) again.focus();
    }
    remember(board);
    return { others: cols.others, grades: grades, codes: codes };
  }

  function remember(board) {
    seen = {};
    board.placements.forEach(function (p) { seen["p" + p.id] = true; });
    board.handoffs.forEach(function (h) { seen["h" + h.id] = true; });
  }

  /* The transitions not between neighbouring stages (backward ones, skips), with markers. */
  function renderOthers(list, board, info, opts) {
    list.replaceChildren();
    info.others.forEach(function (tr) {
      var handoffs = board.handoffs.filter(function (h) { return h.transition_id === tr.id; });
      var label = transitionLabel(tr);
      list.appendChild(el("li", { class: "other-item kind-" + tr.kind }, [
        marker(tr, info.grades["s" + tr.from_id + ">s" + tr.to_id], info.codes),
        el("div", { class: "other-main" }, [
          el("p", { class: "other-route" }, [
            el("span", { text: names[tr.from_id] || tr.from_label }),
            el("span", { class: "arrow", "aria-hidden": "true", text: tr.kind === "back" ? " \u21a9 " : " \u2192 " }),
            el("span", { class: "sr-only", text: " " + t("board.to") + " " }),
            el("span", { text: names[tr.to_id] || tr.to_label })
          ]),
          el("p", { class: "other-kind" }, [
            el("span", { class: "tag kind-tag kind-tag-" + tr.kind, text: t("board.kind." + tr.kind) }),
            label ? el("span", { class: "other-label", text: " " + label }) : null
          ]),
          handoffs.length ? el("p", { class: "other-handoffs" }, handoffs.map(function (h) {
            return handoffChip(h, info.codes, { links: opts.links, full: true });
          })) : el("p", { class: "hint", text: t("board.no_handoffs") })
        ])
      ]));
    });
    if (!info.others.length) list.appendChild(el("li", { class: "hint", text: t("board.no_other_transitions") }));
  }

  function counts(board) {
    var counted = board.handoffs.filter(function (h) { return h.counted; }).length;
    var text = [board.recounting_ms > 0 ? t("board.recounting") : t("count.participants", { n: board.participants }), t("count.placements", { n: board.placements.length }), t("count.handoffs", { n: counted })].join(" \u00b7 ");
    var grades = { gap: 0, fragile: 0, robust: 0 };
    var forward = board.transitions.filter(function (x) { return x.kind === "forward"; }).map(function (x) { return "s" + x.from_id + ">s" + x.to_id; });
    var index = gradeIndex(board);
    forward.forEach(function (key) { if (index[key]) grades[index[key].grade] += 1; });
    return { text: text, grades: t("board.grade_counts", {
      forward: t("count.forward", { n: forward.length }), gap: t("count.gaps", { n: grades.gap }),
      fragile: t("count.fragile", { n: grades.fragile }), robust: t("count.robust", { n: grades.robust }) }) };
  }

  /* Listen for the board; after a reconnect ask for it again. */
  function live(role, onBoard) {
    var connectedBefore = false;
    var socket = B.connect({ role: role, workshop_id: data.workshop_id }, function () {});
    var deliver = B.settling(onBoard);  // after a roll call: "counting again", then the count
    socket.on("board", deliver);
    socket.on("connect", function () {
      if (connectedBefore) {
        socket.emit("journey_sync", {}, function (answer) { if (answer && answer.ok) deliver(answer.board); });
      }
      connectedBefore = true;
    });
    return socket;
  }

  window.BryggaBoard = {
    render: render, renderOthers: renderOthers, counts: counts, live: live,
    stageLabel: stageLabel, roleName: roleName
  };
})();
