// Progressive enhancement only: every page works without this file.
document.addEventListener("change", (e) => {
  const el = e.target;
  if (el.matches && el.matches("select[data-autosubmit]")) el.form.requestSubmit();
});
document.addEventListener("submit", (e) => {
  const msg = e.target.dataset && e.target.dataset.confirm;
  if (msg && !window.confirm(msg)) e.preventDefault();
});
document.addEventListener("focusin", (e) => {
  if (e.target.matches && e.target.matches("input[data-select-all]")) e.target.select();
});
// On a phone the sections scroll sideways: bring the current one into view.
const current = document.querySelector("nav.sections [aria-current]");
if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest", inline: "center" });

// Editorial calendar: drag a post onto a day, or focus it and press Shift + arrow keys (a day
// left or right, a week up or down). The same move is a plain form on the post page.
const calendar = document.querySelector("[data-calendar]");
if (calendar) {
  const status = document.getElementById("cal-status");
  const movePost = async (card, date) => {
    const time = (card.dataset.local || "").slice(11, 16) || "09:00";
    const response = await fetch(`${calendar.dataset.base}/posts/${card.dataset.post}/move`, {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRF-Token": calendar.dataset.csrf },
      body: new URLSearchParams({ date, time }),
    });
    const answer = await response.json().catch(() => ({ message: response.statusText }));
    status.textContent = answer.message;
    if (response.ok) {
      sessionStorage.setItem("relais-moved", JSON.stringify({ post: card.dataset.post, message: answer.message }));
      location.reload();
    }
  };
  document.addEventListener("dragstart", (e) => {
    const card = e.target.closest && e.target.closest("[data-movable]");
    if (!card) return;
    e.dataTransfer.setData("text/plain", card.dataset.post);
    e.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragover", (e) => {
    const cell = e.target.closest && e.target.closest("[data-date]");
    if (cell) { e.preventDefault(); cell.classList.add("drop"); }
  });
  document.addEventListener("dragleave", (e) => {
    const cell = e.target.closest && e.target.closest("[data-date]");
    if (cell) cell.classList.remove("drop");
  });
  document.addEventListener("drop", (e) => {
    const cell = e.target.closest && e.target.closest("[data-date]");
    const card = document.querySelector(`[data-movable][data-post="${e.dataTransfer.getData("text/plain")}"]`);
    if (!cell || !card) return;
    e.preventDefault();
    movePost(card, cell.dataset.date);
  });
  document.addEventListener("keydown", (e) => {
    const card = e.target.closest && e.target.closest("[data-movable]");
    const days = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 }[e.key];
    if (!card || !e.shiftKey || !days) return;
    e.preventDefault();
    const from = card.dataset.local ? card.dataset.local.slice(0, 10) : new Date().toISOString().slice(0, 10);
    const day = new Date(`${from}T12:00:00Z`);
    day.setUTCDate(day.getUTCDate() + days);
    movePost(card, day.toISOString().slice(0, 10));
  });
  const moved = sessionStorage.getItem("relais-moved");
  if (moved) {
    sessionStorage.removeItem("relais-moved");
    const { post, message } = JSON.parse(moved);
    status.textContent = message;
    const card = document.querySelector(`[data-post="${post}"]`);
    if (card) card.focus();
  }
}

// Composer: the server checks each variant as the member types (length counted the network's
// way, what the network accepts, the brand charter) and the preview highlights what it found.
const composer = document.querySelector("form[data-composer]");
if (composer) {
  let timer;
  const escape = (s) => s.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
  const render = (box, result) => {
    const text = box.querySelector("[data-text]").value;
    const counter = box.querySelector("[data-counter]");
    counter.textContent = `${result.length} / ${result.max_length}`;
    counter.classList.toggle("over", result.length > result.max_length);
    const spans = result.findings.filter((f) => f.span).map((f) => f.span).sort((a, b) => a[0] - b[0]);
    let html = "", at = 0;
    for (const [start, end] of spans) {
      if (start < at) continue;
      html += escape(text.slice(at, start)) + "<mark>" + escape(text.slice(start, end)) + "</mark>";
      at = end;
    }
    box.querySelector("[data-preview]").innerHTML = html + escape(text.slice(at));
    const list = box.querySelector("[data-findings]");
    list.replaceChildren(...result.findings.map((f) => {
      const li = document.createElement("li");
      li.className = f.error ? "f-error" : "f-warning";
      li.textContent = f.message;
      return li;
    }));
  };
  const check = async () => {
    const response = await fetch(composer.dataset.check, {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRF-Token": composer.dataset.csrf },
      body: new URLSearchParams(new FormData(composer)),
    });
    if (!response.ok) return;
    for (const result of await response.json()) {
      const box = composer.querySelector(`[data-variant="${result.account_id}"]`);
      if (box) render(box, result);
    }
  };
  composer.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 300); });
  composer.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(check, 100); });
  composer.addEventListener("click", (e) => {
    if (!e.target.matches("[data-copy-to-all]")) return;
    const text = e.target.closest("[data-variant]").querySelector("[data-text]").value;
    for (const box of composer.querySelectorAll("[data-variant]")) {
      box.querySelector("[data-text]").value = text;
      box.querySelector('input[name="account"]').checked = true;
    }
    check();
  });
}

// Inbox bulk actions: "select all on this page" also ticks the boxes, so the member sees what
// the action will touch (without JS the server reads the page's ids instead).
const bulkAll = document.getElementById("bulk-all");
if (bulkAll) {
  bulkAll.addEventListener("change", () => {
    for (const box of document.querySelectorAll(".bulk-pick")) box.checked = bulkAll.checked;
  });
}

// Live inbox: the server pushes the workspace's inbox events (server-sent events, read from the
// database by whichever process serves the page). Without this script every page is still right
// after a reload.
const fragment = (html) => {
  const t = document.createElement("template");
  t.innerHTML = html.trim();
  return t.content.firstElementChild;
};
const listen = (url, onEvent) => {
  if (!window.EventSource) return;
  // The browser reconnects by itself and sends Last-Event-ID: nothing is repeated or lost.
  const source = new EventSource(url);
  source.onmessage = (e) => {
    try { onEvent(JSON.parse(e.data)); } catch (err) { console.error("live inbox", err); }
  };
};
const showNotice = (notice, text, href) => {
  if (!notice) return;
  notice.querySelector("span").textContent = text;
  if (href) notice.querySelector("a").href = href;
  notice.hidden = false;
};

// The list: new messages go to the top of the unfiltered first page, elsewhere they are counted
// in a notice; a message another member changed is redrawn where it is.
const inboxList = document.getElementById("inbox-list");
if (inboxList && inboxList.dataset.liveEvents) {
  const notice = document.getElementById("live-notice");
  const insert = inboxList.dataset.liveInsert === "1";
  let unseen = 0;
  listen(inboxList.dataset.liveEvents, (ev) => {
    const current = ev.message_id && inboxList.querySelector(`[data-message="${CSS.escape(ev.message_id)}"]`);
    if (ev.kind === "message_new" && !current) {
      if (insert && ev.html) {
        inboxList.prepend(fragment(ev.html));
        const empty = document.getElementById("inbox-empty");
        if (empty) empty.hidden = true;
        const bulk = document.getElementById("bulk");
        if (bulk) {
          const page = document.createElement("input");
          Object.assign(page, { type: "hidden", name: "page", value: ev.message_id });
          bulk.append(page);
        }
      } else {
        unseen += 1;
        const text = unseen === 1 ? inboxList.dataset.liveOne : inboxList.dataset.liveMany.replace("__N__", unseen);
        showNotice(notice, text, location.href);
      }
    } else if (ev.kind === "message_changed" && current && ev.html) {
      const fresh = fragment(ev.html);
      const box = current.querySelector(".bulk-pick");
      const freshBox = fresh.querySelector(".bulk-pick");
      if (box && freshBox) freshBox.checked = box.checked;
      current.replaceWith(fresh);
    }
  });
}

// A conversation: who else has it open, its new messages, and a warning when another member
// answers or writes a note meanwhile.
const conversation = document.getElementById("conversation");
if (conversation && conversation.dataset.liveEvents) {
  const presence = document.getElementById("presence");
  const notice = document.getElementById("live-notice");
  const answered = document.getElementById("live-answered");
  const showPresence = (text) => {
    presence.textContent = text || "";
    presence.hidden = !text;
  };
  const beat = async (leave) => {
    const body = new URLSearchParams({ _csrf: conversation.dataset.csrf });
    if (leave) {
      body.set("leave", "1");
      // The page is going away: a beacon survives it.
      if (navigator.sendBeacon) navigator.sendBeacon(conversation.dataset.presence, body);
      return;
    }
    const response = await fetch(conversation.dataset.presence, {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRF-Token": conversation.dataset.csrf },
      body,
    }).catch(() => null);
    if (response && response.ok) showPresence((await response.json()).text);
  };
  // Presence lasts 25 s after a heartbeat: one every 10 s keeps the member there.
  beat(false);
  setInterval(() => beat(false), 10000);
  addEventListener("pagehide", () => beat(true));
  listen(conversation.dataset.liveEvents, (ev) => {
    const current = ev.message_id && conversation.querySelector(`[data-message="${CSS.escape(ev.message_id)}"]`);
    if (ev.kind === "presence") {
      showPresence(ev.text);
    } else if (ev.kind === "message_new" && !current && ev.html) {
      conversation.append(fragment(ev.html));
    } else if (ev.kind === "message_changed" && current && ev.html) {
      current.replaceWith(fragment(ev.html));
    } else if (ev.kind === "reply_sent" && !ev.mine && ev.text && answered) {
      answered.textContent = ev.text;
      answered.hidden = false;
    } else if (ev.kind === "note_added" && !ev.mine && ev.text) {
      showNotice(notice, ev.text, `${location.pathname}#notes`);
    }
  });
}
