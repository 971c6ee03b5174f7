/* poolplan live cards: plain JS, no build step.
   Every [data-cards] list opens a WebSocket (data-ws) and gets a snapshot on connect, then one
   message per change ("card"; boards also get "dispatch": who should go, worked out after
   each change). When the socket is down it polls data-state-url every few seconds and
   keeps trying to reconnect, so no red card is missed. Forms [data-card-action] are posted
   with fetch; without JavaScript they post and redirect back. */
(function () {
  "use strict";
  var i18n = JSON.parse(document.getElementById("cards-i18n").textContent);
  // Dispatch reasons arrive as codes ([code, detail]); the board page gives their words.
  var reasonWords = JSON.parse((document.getElementById("cards-reasons") || {}).textContent || "{}");
  var lists = Array.prototype.slice.call(document.querySelectorAll("[data-cards]"));
  var statusEl = document.querySelector("[data-live-status]");
  var alertToggle = document.querySelector("[data-alert-toggle]");
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  var POLL_MS = 3000;
  var SVG = '<svg class="tl-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">';
  var ICONS = {
    red: SVG + '<circle cx="12" cy="12" r="10"/><path d="M12 6.5v7M12 17.5v.5"/></svg>',
    yellow: SVG + '<path d="M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3"/></svg>',
    green: SVG + '<path d="M4 12.5l5 5L20 6.5"/></svg>'
  };

  if (alertToggle) {
    alertToggle.checked = localStorage.getItem("poolplan.alert") === "on";
    alertToggle.addEventListener("change", function () {
      localStorage.setItem("poolplan.alert", alertToggle.checked ? "on" : "off");
    });
  }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function statusLabel(colour) {
    var p = el("p", { "class": "tl-card__status", "data-status": "" });
    p.insertAdjacentHTML("beforeend", ICONS[colour]);
    p.appendChild(document.createTextNode(" " + i18n[colour]));
    return p;
  }
  function timeOf(iso) {
    var d = new Date(iso);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function postForm(action, fields) {
    var form = el("form", { method: "post", action: action, "data-card-action": "" });
    fields.forEach(function (f) { form.appendChild(el("input", { type: "hidden", name: f[0], value: f[1] })); });
    return form;
  }

  function reasonText(reason) {
    var text = reasonWords[reason[0]] || reason[0];
    return reason.length > 1 ? fmt(text, { detail: reason[1] }) : text;
  }

  function boardCard(card, suggestion, assigned) {
    var facts = el("dl", { "class": "tl-card__facts" }, [
      el("dt", { text: i18n["class"] }), el("dd", { text: card.class_name }),
      el("dt", { text: i18n.room }), el("dd", { text: card.room || "–" }),
    ]);
    if (card.raised_at) {
      facts.appendChild(el("dt", { text: i18n.waiting }));
      facts.appendChild(el("dd", {}, [el("time", { datetime: card.raised_at, text: timeOf(card.raised_at) })]));
    }
    if (assigned && assigned.length) {
      facts.appendChild(el("dt", { text: i18n.planned }));
      facts.appendChild(el("dd", { text: assigned.join(", ") }));
    }
    var li = el("li", { "class": "tl-card tl-card--" + card.colour, "data-child": card.child_id,
                        "data-version": card.version }, [
      el("h2", { "class": "tl-card__code", text: card.display_code }),
      statusLabel(card.colour), facts,
    ]);
    if (card.acknowledged_by) {
      li.appendChild(el("p", { "class": "tl-card__coming", text: fmt(i18n.coming, { name: card.acknowledged_by }) }));
    } else if (suggestion) {
      var p = el("p", { "class": "tl-card__suggestion" });
      if (suggestion.helper) {
        p.appendChild(el("strong", { text: i18n.suggested + " " + suggestion.helper }));
        p.appendChild(document.createTextNode(" — "));
      }
      p.appendChild(document.createTextNode(suggestion.reasons.map(reasonText).join("; ")));
      li.appendChild(p);
    }
    if (card.colour !== "green") {
      var actions = el("div", { "class": "tl-card__actions" });
      if (!card.acknowledged_by) {
        var go = postForm("/cards/" + card.child_id + "/acknowledge/", []);
        go.appendChild(el("button", { type: "submit", "class": "button", text: i18n.going }));
        actions.appendChild(go);
      }
      // After "done" the log entry opens, prefilled from the card (the log book's ?card=).
      var done = postForm("/cards/" + card.child_id + "/done/", [["next", "/log/?card=" + card.child_id]]);
      done.appendChild(el("button", { type: "submit", "class": "button button--quiet", text: i18n.done }));
      actions.appendChild(done);
      li.appendChild(actions);
    }
    return li;
  }

  function updateSwitch(li, card) {
    li.className = "tl-switch tl-card--" + card.colour;
    li.dataset.version = card.version;
    li.replaceChild(statusLabel(card.colour), li.querySelector("[data-status]"));
    var coming = li.querySelector("[data-coming]");
    coming.textContent = card.acknowledged_by ? fmt(i18n.coming, { name: card.acknowledged_by }) : "";
    coming.hidden = !card.acknowledged_by;
    li.querySelectorAll("button[data-colour]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.colour === card.colour));
    });
  }

  var ORDER = { red: 0, yellow: 1, green: 2 };
  function sortKey(a, b) {
    if (ORDER[a.colour] !== ORDER[b.colour]) return ORDER[a.colour] - ORDER[b.colour];
    var wa = a.raised_at ? Date.parse(a.raised_at) : Infinity;
    var wb = b.raised_at ? Date.parse(b.raised_at) : Infinity;
    if (wa !== wb) return wa - wb;
    return a.display_code < b.display_code ? -1 : 1;
  }

  function alertNewRed(card) {
    if (!alertToggle || !alertToggle.checked) return;
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var osc = ctx.createOscillator();
      osc.frequency.value = 660;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no audio: the visual change is the alert */ }
  }

  function setStatus(text) { if (statusEl && statusEl.textContent !== text) statusEl.textContent = text; }

  function Live(list) {
    this.list = list;
    this.kind = list.dataset.cards;
    this.cards = {};
    this.suggestions = {};
    this.assigned = {};
    this.seq = -1;  // of the newest board state whose dispatch this page shows
    this.retry = 1000;
    this.pollTimer = null;
    var self = this;
    list.querySelectorAll("[data-child]").forEach(function (li) {
      self.cards[li.dataset.child] = { version: Number(li.dataset.version), colour: (li.className.match(/tl-card--(\w+)/) || [])[1] };
    });
  }
  Live.prototype.apply = function (card, fromSnapshot) {
    var known = this.cards[card.child_id];
    if (known && known.version > card.version) return;  // an older message overtaken
    if (this.kind === "board" && card.colour === "red" && known && known.colour !== "red" && !fromSnapshot) {
      alertNewRed(card);
    }
    this.cards[card.child_id] = card;
  };
  Live.prototype.render = function () {
    var self = this;
    if (this.kind === "board") {
      var cards = Object.keys(this.cards).map(function (k) { return self.cards[k]; })
        .filter(function (c) { return c.display_code; });
      cards.sort(sortKey);
      var nodes = cards.map(function (c) {
        return boardCard(c, self.suggestions[c.child_id], self.assigned[c.child_id]);
      });
      this.list.replaceChildren.apply(this.list, nodes);
    } else {
      Object.keys(this.cards).forEach(function (id) {
        var card = self.cards[id];
        var li = self.list.querySelector('[data-child="' + id + '"]');
        if (li && card.display_code) updateSwitch(li, card);
      });
    }
  };
  Live.prototype.receive = function (msg) {
    var self = this;
    if (msg.type === "snapshot") {
      msg.cards.forEach(function (c) { self.apply(c, true); });
      if (msg.seq !== undefined) {
        self.suggestions = {};
        self.assigned = {};
        msg.cards.forEach(function (c) {
          if (c.suggestion) self.suggestions[c.child_id] = c.suggestion;
          if (c.assigned) self.assigned[c.child_id] = c.assigned;
        });
        self.seq = msg.seq;
      }
    } else if (msg.type === "card") {
      self.apply(msg.card, false);
    } else if (msg.type === "dispatch") {
      if (msg.seq < self.seq) return;  // worked out from an older state than shown
      self.suggestions = msg.suggestions;
      self.assigned = msg.assigned;
      self.seq = msg.seq;
    } else if (msg.type === "revoked") {
      setStatus(i18n.revoked);
      window.location.reload();
      return;
    }
    self.render();
  };
  Live.prototype.poll = function () {
    var self = this;
    fetch(this.list.dataset.stateUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) self.receive(data); })
      .catch(function () {});
  };
  Live.prototype.startPolling = function () {
    var self = this;
    setStatus(i18n.polling);
    if (!this.pollTimer) {
      this.poll();
      this.pollTimer = setInterval(function () { self.poll(); }, POLL_MS);
    }
  };
  Live.prototype.connect = function () {
    var self = this;
    if (!("WebSocket" in window)) { this.startPolling(); return; }
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + this.list.dataset.ws;
    var ws;
    try { ws = new WebSocket(url); } catch (e) { this.startPolling(); return; }
    ws.onopen = function () {
      self.retry = 1000;
      if (self.pollTimer) { clearInterval(self.pollTimer); self.pollTimer = null; }
      setStatus(i18n.live);
    };
    ws.onmessage = function (event) { self.receive(JSON.parse(event.data)); };
    ws.onclose = function () {
      self.startPolling();
      setTimeout(function () { self.connect(); }, self.retry);
      self.retry = Math.min(self.retry * 2, 15000);
    };
    this.ws = ws;
  };

  var lives = lists.map(function (list) { var live = new Live(list); live.connect(); return live; });
  function liveFor(node) {
    for (var i = 0; i < lives.length; i++) if (lives[i].list.contains(node)) return lives[i];
    return null;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-card-action]")) return;
    event.preventDefault();
    var body = new FormData(form);
    if (!body.get("csrfmiddlewaretoken") && csrf) body.append("csrfmiddlewaretoken", csrf);
    var live = liveFor(form);
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                         headers: { Accept: "application/json", "X-CSRFToken": csrf || "" } })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (result) {
        if (!result.ok) { setStatus(result.data.message || ""); if (live) live.poll(); return; }
        // Only "done" goes on to the prefilled log entry; the colour switch's `next` is for
        // browsers without JavaScript and must not reload the tablet after every touch.
        if (body.get("next") && /\/done\/$/.test(form.action)) {
          window.location.assign(body.get("next"));
          return;
        }
        if (live && result.data.card) {
          var prev = live.cards[result.data.card.child_id];
          if (prev && prev.display_code) {
            result.data.card.room = result.data.card.room || prev.room;
          }
          live.apply(result.data.card, true);
          live.render();
        }
      })
      .catch(function () { form.submit(); });
  });
})();
