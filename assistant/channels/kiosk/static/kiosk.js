// Voice kiosk page: badge sign-in, push-to-talk (16 kHz mono 16-bit WAV), replies, audio.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const TARGET_RATE = 16000;
  let idleSeconds = 60;
  let idleTimer = null;
  let capture = null; // {ctx, stream, node, chunks}
  let busy = false;

  function setStatus(state, text) {
    const el = $("status");
    el.dataset.state = state;
    el.textContent = text;
    document.body.dataset.state = state;
  }

  async function api(method, path, body, contentType) {
    const opts = { method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      opts.body = contentType ? body : JSON.stringify(body);
      opts.headers["Content-Type"] = contentType || "application/json";
    }
    const res = await fetch("/kiosk/api/" + path, opts);
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    if (res.status === 401 && path !== "session") { showSignIn("Please sign in again."); }
    return { status: res.status, data };
  }

  // ---- sign-in and idle sign-out -------------------------------------------------
  function showSignIn(message) {
    stopCapture();
    $("talk").hidden = true;
    $("signin").hidden = false;
    $("signout").hidden = true;
    $("who").textContent = "";
    $("transcript").textContent = "";
    $("replies").replaceChildren();
    $("signin-error").textContent = message || "";
    $("badge").value = "";
    $("pin").value = "";
    $("badge").focus();
    clearTimeout(idleTimer);
    document.dispatchEvent(new CustomEvent("kiosk:signedout"));
  }

  function showTalk(staff) {
    $("signin").hidden = true;
    $("talk").hidden = false;
    $("signout").hidden = false;
    $("who").textContent = "Signed in: " + staff;
    setStatus("ready", "Ready");
    $("ptt").focus();
    touch();
    loadBoard();
    document.dispatchEvent(new CustomEvent("kiosk:signedin", { detail: { staff } }));
  }

  function touch() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(signOut, idleSeconds * 1000);
  }

  async function signOut() {
    await api("DELETE", "session");
    showSignIn("Signed out.");
  }

  $("signin-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const res = await api("POST", "session", { badge: $("badge").value.trim(), pin: $("pin").value });
    if (res.status === 200) {
      idleSeconds = res.data.idle_seconds || 60;
      showTalk(res.data.staff);
      if (res.data.notices && res.data.notices.length) { render({ replies: res.data.notices }); }
    } else {
      $("signin-error").textContent = res.data.message || "Sign-in failed.";
      $("pin").value = "";
    }
  });
  $("signout").addEventListener("click", signOut);

  // ---- replies --------------------------------------------------------------------
  function render(data) {
    $("transcript").textContent = data.transcript ? "You said: \u201c" + data.transcript + "\u201d" : "";
    const box = $("replies");
    box.replaceChildren();
    for (const reply of data.replies || []) {
      const div = document.createElement("div");
      div.className = "reply";
      const p = document.createElement("p");
      p.textContent = reply.text;
      div.appendChild(p);
      if (reply.buttons && reply.buttons.length) {
        const choices = document.createElement("div");
        choices.className = "choices";
        for (const b of reply.buttons) {
          const btn = document.createElement("button");
          btn.type = "button";
          btn.className = "secondary";
          btn.textContent = b.title;
          btn.addEventListener("click", () => sendText(b.payload, b.title));
          choices.appendChild(btn);
        }
        div.appendChild(choices);
      }
      box.appendChild(div);
    }
    if (data.board) { showBoard(data.board); }
    if (data.signed_out) { showSignIn("Signed out."); return; }
    play(data.audio_url);
  }

  function play(url) {
    if (!url) { setStatus("ready", "Ready"); return; }
    const player = $("player");
    player.src = url;
    player.onplaying = () => { document.body.dataset.audioPlayed = "1"; setStatus("speaking", "Speaking\u2026"); };
    player.onended = () => setStatus("ready", "Ready");
    player.onerror = () => setStatus("ready", "Ready");
    player.play().catch(() => setStatus("ready", "Ready"));
  }

  async function sendText(text, shown) {
    if (busy || !text) { return; }
    busy = true;
    touch();
    setStatus("thinking", "Thinking\u2026");
    try {
      const res = await api("POST", "text", { text });
      if (res.status === 200) {
        if (shown) { res.data.transcript = shown; }
        render(res.data);
      } else if (res.status !== 401) {
        setStatus("ready", res.data.message || "Something went wrong.");
      }
    } finally { busy = false; }
  }

  // ---- bed board / downtime --------------------------------------------------------
  async function loadBoard() {
    const res = await api("GET", "board");
    if (res.status === 200) { showBoard(res.data); }
  }

  function showBoard(board) {
    const banner = $("downtime");
    banner.hidden = board.hms_up;
    banner.textContent = board.hms_up ? "" : "The hospital system is unreachable. Help requests are queued." +
      (board.as_of ? " Bed board as of " + board.as_of + "." : "");
    $("board-age").textContent = board.as_of ? "As of " + board.as_of : "Not available yet.";
    const body = $("board-table").tBodies[0];
    body.replaceChildren();
    for (const w of board.wards || []) {
      const tr = document.createElement("tr");
      for (const v of [w.ward_name, w.free, w.total]) {
        const td = document.createElement("td");
        td.textContent = String(v);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  // ---- capture: getUserMedia + AudioWorklet -> 16 kHz mono 16-bit WAV -------------
  async function startCapture() {
    if (capture || busy) { return; }
    touch();
    $("player").pause();
    $("ptt").setAttribute("aria-pressed", "true");
    setStatus("listening", "Listening\u2026");
    const state = { chunks: [], stopped: false };
    capture = state;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: false },
      });
      const ctx = new AudioContext();
      await ctx.audioWorklet.addModule("/kiosk/static/pcm-worklet.js");
      const source = ctx.createMediaStreamSource(stream);
      const node = new AudioWorkletNode(ctx, "pcm-capture");
      node.port.onmessage = (ev) => { if (!state.stopped) { state.chunks.push(ev.data); } };
      source.connect(node);
      Object.assign(state, { ctx, stream, node, source });
      if (state.stopped) { teardown(state); }
    } catch (e) {
      capture = null;
      $("ptt").setAttribute("aria-pressed", "false");
      setStatus("ready", "The microphone is not available. Please type instead.");
    }
  }

  function teardown(state) {
    if (state.source) { state.source.disconnect(); }
    if (state.stream) { state.stream.getTracks().forEach((t) => t.stop()); }
    if (state.ctx) { state.ctx.close(); }
  }

  function stopCapture() {
    const state = capture;
    capture = null;
    $("ptt").setAttribute("aria-pressed", "false");
    if (!state) { return null; }
    state.stopped = true;
    const rate = state.ctx ? state.ctx.sampleRate : 48000;
    teardown(state);
    return { chunks: state.chunks, rate };
  }

  function toWav(chunks, rate) {
    let total = 0;
    for (const c of chunks) { total += c.length; }
    const input = new Float32Array(total);
    let off = 0;
    for (const c of chunks) { input.set(c, off); off += c.length; }
    const ratio = rate / TARGET_RATE;
    const n = Math.floor(total / ratio);
    const buf = new ArrayBuffer(44 + n * 2);
    const v = new DataView(buf);
    const str = (o, s) => { for (let i = 0; i < s.length; i++) { v.setUint8(o + i, s.charCodeAt(i)); } };
    str(0, "RIFF"); v.setUint32(4, 36 + n * 2, true); str(8, "WAVE"); str(12, "fmt ");
    v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
    v.setUint32(24, TARGET_RATE, true); v.setUint32(28, TARGET_RATE * 2, true);
    v.setUint16(32, 2, true); v.setUint16(34, 16, true); str(36, "data"); v.setUint32(40, n * 2, true);
    for (let i = 0; i < n; i++) {
      // average the source samples that fall into this output sample (simple low-pass)
      const start = Math.floor(i * ratio), end = Math.max(start + 1, Math.floor((i + 1) * ratio));
      let sum = 0;
      for (let j = start; j < end && j < total; j++) { sum += input[j]; }
      const s = Math.max(-1, Math.min(1, sum / (end - start)));
      v.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([buf], { type: "audio/wav" });
  }

  async function finishCapture() {
    const got = stopCapture();
    if (!got) { return; }
    busy = true;
    setStatus("thinking", "Thinking\u2026");
    try {
      const wav = toWav(got.chunks, got.rate);
      const res = await api("POST", "utterance", wav, "audio/wav");
      if (res.status === 200) { render(res.data); }
      else if (res.status !== 401) {
        $("transcript").textContent = "";
        $("replies").replaceChildren();
        setStatus("ready", res.data.message || "Sorry, I didn't catch that.");
      }
    } finally { busy = false; }
  }

  const ptt = $("ptt");
  ptt.addEventListener("pointerdown", (e) => { e.preventDefault(); startCapture(); });
  ptt.addEventListener("pointerup", finishCapture);
  ptt.addEventListener("pointerleave", () => { if (capture) { finishCapture(); } });
  const typing = (el) => el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA");
  document.addEventListener("keydown", (e) => {
    if (e.code === "Space" && !typing(document.activeElement) && !$("talk").hidden) {
      e.preventDefault();
      if (!e.repeat) { startCapture(); }
    }
  });
  document.addEventListener("keyup", (e) => {
    if (e.code === "Space" && !typing(document.activeElement) && !$("talk").hidden) {
      e.preventDefault(); // the space bar talks; it never also "clicks" a focused button
      if (capture) { finishCapture(); }
    }
  });

  // ---- help desk, typing, on-screen keyboard -----------------------------------------
  $("helpdesk").addEventListener("click", () => sendText("/talk_to_human", "Call the help desk"));
  $("show-keyboard").addEventListener("click", () => {
    const form = $("typing");
    form.hidden = !form.hidden;
    $("show-keyboard").setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) { $("typed").focus(); }
  });
  $("typing").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("typed").value.trim();
    $("typed").value = "";
    sendText(text);
  });
  const keys = "1234567890qwertyuiopasdfghjkl'zxcvbnm,.".split("");
  const kb = $("keyboard");
  const addKey = (label, fn, wide) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (wide) { b.className = "wide"; }
    b.addEventListener("click", () => { fn(); $("typed").focus(); touch(); });
    kb.appendChild(b);
  };
  for (const k of keys) { addKey(k, () => { $("typed").value += k; }); }
  addKey("Space", () => { $("typed").value += " "; }, true);
  addKey("Delete", () => { $("typed").value = $("typed").value.slice(0, -1); }, true);

  // tiles and keypad (kiosk-touch.js) send requests and keep the session alive through these
  window.kioskApi = { sendText, touch };

  // ---- start ------------------------------------------------------------------------
  api("GET", "session").then((res) => {
    if (res.status === 200) { idleSeconds = res.data.idle_seconds || 60; showTalk(res.data.staff); }
    else { showSignIn(""); }
  });
})();
