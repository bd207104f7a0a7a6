/* The projector: the current statement, "n of m have voted", results once revealed. */
(function () {
  "use strict";
  var B = window.Brygga, t = B.t, el = B.el, data = B.data;

  function inLang(pair) { return (pair && (pair[data.lang] || pair.sv)) || ""; }

  /* A role to validate: "Role 5B", its name, what it does, examples of titles, the question. */
  function showRole(stage, role) {
    var examples = (role.examples && (role.examples[data.lang] || role.examples.sv)) || [];
    stage.appendChild(el("p", { class: "proj-kind", text: t("roles.role_code", { code: role.code }) + " · " + t("roles.tier_short." + role.tier) }));
    stage.appendChild(el("h1", { class: "proj-statement", text: inLang(role.name) }));
    if (inLang(role.does)) stage.appendChild(el("p", { class: "proj-role-does", text: inLang(role.does) }));
    if (examples.length) {
      stage.appendChild(el("p", { class: "proj-role-examples", text: t("roles.examples") + ": " + examples.join(" · ") }));
    }
    stage.appendChild(el("p", { class: "proj-question", text: t("roles.question") }));
  }

  function render(state) {
    var recounting = B.recounting(state);
    document.getElementById("joined").textContent = recounting ? "\u2026" : String(state.joined);
    document.getElementById("recounting").hidden = !recounting;
    document.getElementById("joined-label").textContent = t("projector.joined", { n: state.joined });
    var stage = document.getElementById("stage");
    stage.replaceChildren();
    var s = state.current;
    document.querySelector("main").classList.toggle("is-waiting", !s);
    if (!s) {
      stage.appendChild(el("p", { class: "proj-title", text: data.title }));
      stage.appendChild(el("h1", { class: "proj-welcome", text: t("projector.welcome") }));
      stage.appendChild(el("p", { class: "proj-sub", text: t("projector.welcome_help") }));
      return;
    }
    if (s.topic === "role" && s.role) {
      showRole(stage, s.role);
    } else {
      stage.appendChild(el("p", { class: "proj-kind", text: s.organisation + " · " + B.kind(s) }));
      stage.appendChild(el("h1", { class: "proj-statement", text: s.text }));
      stage.appendChild(el("p", { class: "proj-question", text: s.perspective === "own"
        ? t("phone.question_own", { org: s.organisation }) : t("phone.question_others." + s.topic) }));
    }
    var pct = s.eligible ? Math.min(100, Math.round((100 * s.voted) / s.eligible)) : 0;
    var fill = el("span", { class: "progress-fill" });
    fill.style.width = pct + "%";
    /* Who answers, so that "1 of 2" beside "3 joined" explains itself */
    var who = state.everyone_may_answer || !s.organisation ? null
      : t(s.perspective === "own" ? "projector.who_own" : "projector.who_others", { org: s.organisation });
    stage.appendChild(el("p", { class: "proj-voted" }, [
      el("strong", { text: B.nOfM(state, s) }),
      document.createTextNode(" " + t("progress.have_voted", { n: s.voted })),
      who ? el("span", { class: "proj-who", text: " · " + who }) : null
    ]));
    stage.appendChild(el("div", { class: "progress-track big", "aria-hidden": "true" }, [fill]));
    if (s.tally) {
      stage.appendChild(B.bars(s.tally));
    } else if (s.withheld && s.revealed) {
      stage.appendChild(el("p", { class: "proj-sub withheld", text: t("anonymity.withheld", { threshold: state.anonymity_threshold }) }));
    } else {
      stage.appendChild(el("p", { class: "proj-sub", text: s.state === "open" ? t("projector.answer_now") : t("projector.closed") }));
    }
    if (state.open.length > 1) {
      stage.appendChild(el("p", { class: "proj-sub", text: t("console.batch_open", { n: state.open.length }) }));
    }
  }

  /* The projector never scrolls: while the stage's content is taller than the screen, its
     text is made smaller, down to half (a long statement, a role with a long description);
     not when the reader has enlarged the browser's text. */
  function fit() {
    var stage = document.getElementById("stage"), f = 1, enlarged = B.textEnlarged();
    stage.style.setProperty("--fit", "1");
    while (!enlarged && stage.scrollHeight > stage.clientHeight + 1 && f > 0.5) {
      f = Math.round((f - 0.05) * 100) / 100;
      stage.style.setProperty("--fit", String(f));
    }
    stage.dataset.fit = String(f);
  }
  window.addEventListener("resize", fit);

  B.connect({ role: "projector", workshop_id: data.workshop_id }, function (state) {
    render(state);
    fit();
  });
})();
