/* The facilitator's board: the live grid, findings to confirm / dismiss / mark fixed, counts,
   the journey-open switch. Every change arrives as a "board" event; posts answer with it too. */
(function () {
  "use strict";
  var B = window.Brygga, Board = window.BryggaBoard, t = B.t, el = B.el, data = B.data;
  var SEVERITY_ICON = { critical: "\u2b23", high: "\u25b2", medium: "\u25c6", low: "\u25cb", info: "\u2139" };
  var current = null;

  function post(url, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRF-Token": data.csrf, "Accept": "application/json" },
      body: body,
      credentials: "same-origin"
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, error: t("board.request_failed") }; });
    }, function () {
      return { ok: false, error: t("board.request_failed") };
    }).then(function (answer) {
      if (answer.ok && answer.board) render(answer.board);
      return answer;
    });
  }

  function showError(box, text) {
    box.textContent = text || "";
    box.hidden = !text;
  }

  function triageForm(finding, status, label, cls) {
    var form = el("form", { method: "post", action: data.urls.triage, class: "inline" }, [
      el("input", { type: "hidden", name: "csrf_token", value: data.csrf }),
      el("input", { type: "hidden", name: "fingerprint", value: finding.fingerprint }),
      el("input", { type: "hidden", name: "status", value: status }),
      el("button", { class: "button small " + (cls || ""), "data-focus-key": status + ":" + finding.fingerprint, text: label })
    ]);
    form.addEventListener("submit", submit);
    return form;
  }

  function dismissForm(finding) {
    var reasonId = "reason-" + finding.fingerprint.replace(/[^A-Za-z0-9_-]/g, "_");
    var existing = finding.triage && finding.triage.status === "dismissed" ? finding.triage.reason || "" : "";
    var area = el("textarea", { id: reasonId, name: "reason", rows: "2", maxlength: "1000", required: "required", "data-key": "r:" + finding.fingerprint });
    area.value = existing;
    var form = el("form", { method: "post", action: data.urls.triage, class: "dismiss-form" }, [
      el("input", { type: "hidden", name: "csrf_token", value: data.csrf }),
      el("input", { type: "hidden", name: "fingerprint", value: finding.fingerprint }),
      el("input", { type: "hidden", name: "status", value: "dismissed" }),
      el("label", { for: reasonId, text: t("board.dismiss_reason") }),
      area,
      el("button", { class: "button small", text: t("board.dismiss_save") })
    ]);
    form.addEventListener("submit", submit);
    return el("details", { class: "dismiss", "data-key": "d:" + finding.fingerprint }, [
      el("summary", { text: t("board.dismiss") + "\u2026" }),
      form
    ]);
  }

  function submit(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var fields = {};
    new FormData(form).forEach(function (v, k) { if (k !== "csrf_token") fields[k] = v; });
    var box = form.closest(".finding").querySelector(".finding-error");
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    post(form.action, fields).then(function (answer) {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      showError(box, answer.ok ? "" : answer.error);
    });
  }

  function finding(f) {
    var message = (data.lang === "en" && f.message_en) || f.message;
    var status = f.triage && f.triage.status;
    var item = el("li", {
      class: "finding severity-" + f.severity + (status ? " is-" + status : ""),
      "data-fingerprint": f.fingerprint,
      "data-triage": status || ""
    });
    var main = el("div", { class: "finding-main" }, [
      el("p", { class: "finding-message" }, [
        el("span", { class: "severity severity-" + f.severity }, [
          el("span", { "aria-hidden": "true", text: SEVERITY_ICON[f.severity] || "" }),
          el("span", { text: " " + t("board.severity." + f.severity) })
        ]),
        status ? el("span", { class: "triage-tag triage-" + status, text: t("board.triage." + status) }) : null,
        el("span", { class: "finding-text", text: message })
      ])
    ]);
    if (status === "dismissed" && f.triage.reason) {
      main.appendChild(el("p", { class: "finding-reason" }, [
        el("strong", { text: t("board.reason") + ": " }),
        document.createTextNode(f.triage.reason)
      ]));
    }
    main.appendChild(el("p", { class: "finding-error error-line", role: "alert", hidden: "hidden" }));
    var actions = el("div", { class: "finding-actions" });
    if (status !== "confirmed") actions.appendChild(triageForm(f, "confirmed", t("board.confirm"), ""));
    if (status !== "fixed") actions.appendChild(triageForm(f, "fixed", t("board.mark_fixed"), "ghost"));
    if (status) actions.appendChild(triageForm(f, "", t("board.clear_triage"), "ghost"));
    actions.appendChild(dismissForm(f));
    item.appendChild(main);
    item.appendChild(actions);
    return item;
  }

  function renderFindings(board) {
    var list = document.getElementById("finding-list");
    var open = {}, typed = {};
    list.querySelectorAll("details[open][data-key]").forEach(function (d) { open[d.dataset.key] = true; });
    list.querySelectorAll("textarea[data-key]").forEach(function (a) { typed[a.dataset.key] = a.value; });
    var active = document.activeElement;
    var focusKey = active && list.contains(active) ? (active.dataset.focusKey || active.dataset.key) : null;

    var analysis = board.analysis;
    var findings = (analysis && analysis.findings) || [];
    list.replaceChildren.apply(list, findings.map(finding));
    if (!findings.length) list.appendChild(el("li", { class: "hint", text: t("board.no_findings") }));
    document.getElementById("findings-count").textContent = String(findings.filter(function (f) {
      return !f.triage || f.triage.status === "confirmed";
    }).length);
    list.querySelectorAll("details[data-key]").forEach(function (d) { if (open[d.dataset.key]) d.open = true; });
    list.querySelectorAll("textarea[data-key]").forEach(function (a) {
      if (typed[a.dataset.key] !== undefined) a.value = typed[a.dataset.key];
    });
    if (focusKey) {
      var again = list.querySelector('[data-focus-key="' + focusKey + '"], [data-key="' + focusKey + '"]');
      if (again) again.focus();
    }
    var honesty = analysis ? ((data.lang === "en" && analysis.honesty_en) || analysis.honesty) : "";
    document.getElementById("honesty").textContent = honesty || "";
  }

  function renderToggle(board) {
    var form = document.querySelector("[data-open-toggle]");
    if (!form) return;
    form.querySelector('input[name="open"]').value = board.journey_open ? "0" : "1";
    var state = form.querySelector(".open-state");
    state.dataset.openState = board.journey_open ? "open" : "closed";
    state.textContent = t(board.journey_open ? "board.journey_is_open" : "board.journey_is_closed");
    var button = form.querySelector("button");
    button.textContent = t(board.journey_open ? "board.close_journey" : "board.open_journey");
    button.className = "button small " + (board.journey_open ? "ghost" : "primary");
  }

  function render(board) {
    current = board;
    var grid = document.getElementById("board-grid");
    document.getElementById("board-empty").hidden = board.stages.length > 0;
    var info = Board.render(grid, board, { links: true });
    Board.renderOthers(document.getElementById("other-list"), board, info, { links: true });
    var c = Board.counts(board);
    document.getElementById("board-counts").textContent = c.text;
    document.getElementById("findings-figures").textContent = c.grades;
    renderFindings(board);
    renderToggle(board);
    edges();
  }

  /* A shadow at an edge of the grid where more stages are out of sight (on a laptop the
     later stages of a long journey are scrolled to). */
  var scroller = document.querySelector(".board-scroll"), frame = document.getElementById("board-frame");
  function edges() {
    var left = scroller.scrollLeft, hidden = scroller.scrollWidth - scroller.clientWidth;
    frame.dataset.moreLeft = String(left > 1);
    frame.dataset.moreRight = String(hidden - left > 1);
  }
  scroller.addEventListener("scroll", edges, { passive: true });
  window.addEventListener("resize", edges);

  var toggle = document.querySelector("[data-open-toggle]");
  if (toggle) {
    toggle.addEventListener("submit", function (event) {
      event.preventDefault();
      var errorBox = document.getElementById("findings-error");
      post(toggle.action, { back: "board", open: toggle.querySelector('input[name="open"]').value }).then(function (answer) {
        showError(errorBox, answer.ok ? "" : answer.error);
      });
    });
  }

  render(data.board);
  Board.live("facilitator", render);
  window.BryggaBoardPage = { current: function () { return current; } };
})();
