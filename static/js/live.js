/* Shared by the phone, console and projector pages: page data, messages, the live socket. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);

  function t(key, params) {
    // A count of one takes the singular form "<key>.one" where there is one (as i18n.translate).
    if (params && params.n === 1 && data.t && data.t[key + ".one"]) key = key + ".one";
    var text = (data.t && data.t[key]) || key;
    if (params) {
      Object.keys(params).forEach(function (name) {
        text = text.split("{" + name + "}").join(String(params[name]));
      });
    }
    return text;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "class") node.className = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function setConn(state) {
    var badge = document.getElementById("conn");
    if (!badge) return;
    badge.dataset.state = state;
    badge.textContent = t("conn." + state);
  }

  function recounting(state) { return !!(state && state.recounting_ms > 0); }

  /* "n of m" for a statement; m is "…" while the room is being counted again. */
  function nOfM(state, s, key) {
    return t(key || "progress.n_of_m", { n: s.voted, m: recounting(state) ? "\u2026" : s.eligible });
  }

  /* After a roll call the screens say "counting again" (recounting_ms, in the live state and
     the board's) rather than show a count that drops and climbs back while the phones answer;
     when it is over they draw the latest state they have, whose counts include every answer by
     then. Wraps a page's draw function: the wrapper is what receives the states. */
  function settling(draw) {
    var latest = null, timer = null;
    return function (state) {
      latest = state;
      clearTimeout(timer);
      if (recounting(state)) {
        timer = setTimeout(function () { latest.recounting_ms = 0; draw(latest); }, state.recounting_ms);
      }
      draw(state);
    };
  }

  /* The server refused this page's socket: a phone whose place is gone goes to its join page;
     a screen loads its page again, which shows the login or "not found" if it may no longer
     watch. A screen refused again at once does not load in a loop: it says it has no access
     and that a reload (the reader's own) may help. */
  function refused(auth) {
    if (auth.role === "participant") {
      window.location.href = "/" + auth.code;
      return;
    }
    try {
      var last = Number(window.sessionStorage.getItem("brygga:refused") || 0);
      if (Date.now() - last >= 30000) {
        window.sessionStorage.setItem("brygga:refused", String(Date.now()));
        window.location.reload();
        return;
      }
    } catch (e) {
      // no storage to remember a reload by: never risk a loop
    }
    setConn("refused");
  }

  /* Connect to /live; Socket.IO reconnects with exponential backoff and jitter. */
  function connect(auth, onState) {
    auth.lang = data.lang;
    var socket = io("/live", {
      auth: auth,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelay: 800,
      reconnectionDelayMax: 10000,
      randomizationFactor: 0.5,
      timeout: 10000
    });
    socket.on("connect", function () { setConn("online"); });
    socket.on("disconnect", function () { setConn("offline"); });
    socket.on("connect_error", function (err) {
      setConn("offline");
      // Refused (not "unreachable", which Socket.IO retries): the page's address says why
      if (err && err.message && !socket.active) refused(auth);
    });
    /* The server closed the workshop for this page (Broadcaster.close): deleted, the page goes
       to say so; otherwise (handed to another facilitator) it connects again, and the server
       decides whether it still may watch. */
    socket.on("closed", function (why) {
      socket.disconnect();
      if (why && why.reason === "deleted") {
        window.location.href = "/closed" + (auth.code ? "?code=" + encodeURIComponent(auth.code) : "");
      } else {
        socket.connect();
      }
    });
    var deliver = settling(onState);
    socket.on("state", deliver);
    socket.deliverState = deliver;  // for a state that comes another way (an acknowledgement)
    if (auth.role === "participant") {
      /* The facilitator counts the room again: say "here" after a random part of the spread,
         so a full room's answers do not all arrive at one instant. */
      socket.on("roll_call", function (call) {
        var spread = call && typeof call.spread === "number" ? call.spread : 0;
        setTimeout(function () { if (socket.connected) socket.emit("here", {}); }, Math.random() * spread * 1000);
      });
    }
    return socket;
  }

  function bars(tally) {
    var total = tally.total || 0;
    var wrap = el("div", {
      class: "bars",
      role: "img",
      "aria-label": ["yes", "no", "discuss"].map(function (c) {
        return t("vote." + c) + " " + tally[c];
      }).join(", ")
    });
    ["yes", "no", "discuss"].forEach(function (c) {
      var pct = total ? Math.round((100 * tally[c]) / total) : 0;
      var fill = el("span", { class: "bar-fill" });
      fill.style.width = pct + "%";
      wrap.appendChild(el("div", { class: "bar bar-" + c }, [
        el("span", { class: "bar-label", text: t("vote." + c) }),
        el("span", { class: "bar-track" }, [fill]),
        el("span", { class: "bar-n", text: tally[c] + (total ? " · " + pct + "\u00a0%" : "") })
      ]));
    });
    return wrap;
  }

  function kind(statement) {
    return t("topic." + statement.topic) + " · " + t("perspective." + statement.perspective);
  }

  /* Whether the reader has set the browser's text larger than its default of 16 px (WCAG
     1.4.4): the projectors then keep that size and scroll rather than fit the screen by
     setting the text smaller again. */
  function textEnlarged() {
    return parseFloat(window.getComputedStyle(document.documentElement).fontSize) > 16.5;
  }

  window.Brygga = { data: data, t: t, el: el, connect: connect, setConn: setConn, bars: bars, kind: kind, recounting: recounting, settling: settling, nOfM: nOfM, textEnlarged: textEnlarged };
})();
