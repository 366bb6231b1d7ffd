// Trainer's review page: list kept messages, label (intent + markup) or discard them.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);

  async function call(method, path, body) {
    const opts = { method, credentials: "same-origin", headers: {} };
    if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
    const res = await fetch(path, opts);
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    return { status: res.status, data };
  }

  function showSignIn(message) {
    $("queue").hidden = true; $("signin").hidden = false; $("signout").hidden = true;
    $("who").textContent = ""; $("signin-error").textContent = message || ""; $("token").focus();
  }

  function showQueue(me) {
    $("signin").hidden = true; $("queue").hidden = false; $("signout").hidden = false;
    $("who").textContent = "Signed in: " + me.staff;
    load();
  }

  $("signin-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const res = await call("POST", "/staff/session", { token: $("token").value.trim() });
    $("token").value = "";
    if (res.status === 200 && res.data.permissions.includes("nlu:review")) { showQueue(res.data); }
    else if (res.status === 200) { showSignIn("This page needs the trainer role."); }
    else { $("signin-error").textContent = res.data.detail || "Sign-in failed."; }
  });
  $("signout").addEventListener("click", async () => { await call("DELETE", "/staff/session"); showSignIn("Signed out."); });

  function field(labelText, control) {
    const div = document.createElement("div");
    const label = document.createElement("label");
    label.htmlFor = control.id; label.textContent = labelText;
    div.append(label, control);
    return div;
  }

  function itemCard(item, intents) {
    const card = document.createElement("article");
    card.className = "item"; card.dataset.id = String(item.id);
    card.setAttribute("aria-labelledby", "said-" + item.id);
    const said = document.createElement("p");
    said.className = "said"; said.id = "said-" + item.id; said.textContent = "\u201c" + item.text + "\u201d";
    const meta = document.createElement("p");
    const guesses = item.predictions.map((p) => p.intent + " " + Math.round(p.confidence * 100) + "%").join(", ") || "none";
    meta.textContent = item.channel + ", " + item.role + ", seen " + item.seen + "\u00d7. The assistant guessed: " + guesses + ".";
    const form = document.createElement("form");
    const select = document.createElement("select");
    select.id = "intent-" + item.id; select.required = true;
    const blank = document.createElement("option"); blank.value = ""; blank.textContent = "Choose the intent"; select.appendChild(blank);
    for (const intent of intents) {
      const o = document.createElement("option"); o.value = intent.name; o.textContent = intent.name + " \u2014 " + intent.description; select.appendChild(o);
    }
    if (item.predictions.length) { select.value = item.predictions[0].intent; }
    const text = document.createElement("input");
    text.id = "text-" + item.id; text.value = item.text; text.maxLength = 300; text.required = true;
    const save = document.createElement("button"); save.type = "submit"; save.className = "primary"; save.textContent = "Save label";
    const drop = document.createElement("button"); drop.type = "button"; drop.className = "secondary"; drop.textContent = "Discard";
    const error = document.createElement("p"); error.className = "error"; error.setAttribute("role", "alert");
    form.append(field("Intent", select), field("Example with entities", text), save, drop);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const res = await call("POST", "/review/api/items/" + item.id, { intent: select.value, text: text.value });
      if (res.status === 200) { card.remove(); $("status").textContent = "Labelled #" + item.id + " as " + res.data.label_intent + "."; }
      else { error.textContent = typeof res.data.detail === "string" ? res.data.detail : "Not saved."; }
    });
    drop.addEventListener("click", async () => {
      const res = await call("POST", "/review/api/items/" + item.id + "/discard");
      if (res.status === 200) { card.remove(); $("status").textContent = "Discarded #" + item.id + "."; }
    });
    card.append(said, meta, form, error);
    return card;
  }

  async function load() {
    const res = await call("GET", "/review/api/items");
    if (res.status === 401) { showSignIn("Please sign in again."); return; }
    if (res.status !== 200) { $("status").textContent = res.data.detail || "Could not load."; return; }
    const box = $("items");
    box.replaceChildren(...res.data.items.map((i) => itemCard(i, res.data.intents)));
    $("status").textContent = res.data.items.length ? res.data.items.length + " message(s) to review." : "Nothing to review.";
    document.body.dataset.loaded = String(Date.now());
  }

  call("GET", "/staff/session").then((res) => {
    if (res.status === 200 && res.data.permissions.includes("nlu:review")) { showQueue(res.data); }
    else { showSignIn(res.status === 200 ? "This page needs the trainer role." : ""); }
  });
})();
