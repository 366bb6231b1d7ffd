// Kiosk for touch: the signed-in role's task tiles (GET /kiosk/api/guide, from the intent
// catalog and role policy) and an on-screen keypad for the badge number and PIN.
// Kept apart from kiosk.js: it talks to it only through window.kioskApi and two events.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);

  // ---- role tiles -------------------------------------------------------------------
  async function loadTiles() {
    const res = await fetch("/kiosk/api/guide", { credentials: "same-origin" });
    if (res.status !== 200) { return; }
    const guide = await res.json();
    const box = $("tiles");
    box.replaceChildren();
    for (const tile of guide.tiles || []) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "tile";
      b.dataset.intent = tile.intent;
      const title = document.createElement("span");
      title.className = "tile-title";
      title.textContent = tile.button;
      const hint = document.createElement("span");
      hint.className = "tile-hint";
      hint.textContent = "\u201c" + tile.say + "\u201d";
      b.append(title, hint);
      b.addEventListener("click", () => window.kioskApi.sendText(tile.say, tile.button));
      box.appendChild(b);
    }
    if (guide.practice_available) {
      const p = document.createElement("button");
      p.type = "button";
      p.className = "tile tile-practice";
      p.dataset.intent = "practice_mode";
      const t = document.createElement("span"); t.className = "tile-title"; t.textContent = "Practice mode";
      const h = document.createElement("span"); h.className = "tile-hint"; h.textContent = "Try it on a training hospital: nothing is real";
      p.append(t, h);
      p.addEventListener("click", () => window.kioskApi.sendText("/practice_on", "Practice mode"));
      box.appendChild(p);
    }
    const names = (guide.role_names || []).join(", ");
    $("tiles-role").textContent = names ? "Signed in as " + names + ". Tap a task, or hold the button and speak." : "";
    $("tiles-box").hidden = !(guide.tiles || []).length;
    document.body.dataset.tiles = String((guide.tiles || []).length);
  }
  document.addEventListener("kiosk:signedin", loadTiles);
  document.addEventListener("kiosk:signedout", () => { $("tiles").replaceChildren(); $("tiles-box").hidden = true; });

  // ---- keypad for badge and PIN --------------------------------------------------------
  let target = null; // the field the keypad types into
  const fields = () => [$("badge"), $("pin")];
  for (const f of fields()) { f.addEventListener("focus", () => { target = f; }); }

  function press(key) {
    const field = target || $("badge");
    if (key === "delete") { field.value = field.value.slice(0, -1); }
    else if (key === "clear") { field.value = ""; }
    else if (key === "next") { (field === $("badge") ? $("pin") : $("badge")).focus(); return; }
    else if (field.value.length < (field.maxLength > 0 ? field.maxLength : 32)) { field.value += key; }
    field.focus();
  }

  const pad = $("keypad");
  const layout = [["1", "1"], ["2", "2"], ["3", "3"], ["4", "4"], ["5", "5"], ["6", "6"],
    ["7", "7"], ["8", "8"], ["9", "9"], ["clear", "Clear"], ["0", "0"], ["delete", "Delete"]];
  for (const [key, label] of layout) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset.key = key;
    if (key === "delete") { b.setAttribute("aria-label", "Delete last character"); }
    b.addEventListener("click", () => press(key));
    pad.appendChild(b);
  }
  // badge numbers may start with a letter (B123456)
  const letters = document.createElement("div");
  letters.className = "keypad-letters";
  letters.setAttribute("role", "group");
  letters.setAttribute("aria-label", "Letters for the badge number");
  for (const ch of "ABCDEFGHJKLMNPRSTUVWXYZ") {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = ch; b.dataset.key = ch;
    b.addEventListener("click", () => press(ch));
    letters.appendChild(b);
  }
  const next = document.createElement("button");
  next.type = "button"; next.className = "secondary keypad-next"; next.textContent = "Next field"; next.dataset.key = "next";
  next.addEventListener("click", () => press("next"));
  pad.after(letters);
  letters.after(next);
})();
