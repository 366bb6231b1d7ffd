// Usage dashboard: staff-token sign-in, figures from /dashboard/api/report, uPlot charts.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const COLOURS = ["#0b3d91", "#b35806", "#1b7837", "#762a83", "#8a1c1c", "#01665e",
                   "#542788", "#7f3b08", "#2166ac", "#4d4d4d", "#c51b7d", "#35978f"];
  const charts = {};

  async function call(method, path, body) {
    const opts = { method, credentials: "same-origin", headers: {} };
    if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
    const res = await fetch(path, opts);
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    return { status: res.status, data };
  }

  function showSignIn(message) {
    $("board").hidden = true; $("signin").hidden = false; $("signout").hidden = true;
    $("who").textContent = ""; $("signin-error").textContent = message || "";
    $("token").focus();
  }

  function showBoard(me) {
    $("signin").hidden = true; $("board").hidden = false; $("signout").hidden = false;
    $("who").textContent = "Signed in: " + me.staff + " (" + me.roles.join(", ") + ")";
    load();
  }

  $("signin-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const res = await call("POST", "/staff/session", { token: $("token").value.trim() });
    $("token").value = "";
    if (res.status === 200 && res.data.permissions.includes("usage:read")) { showBoard(res.data); }
    else if (res.status === 200) { showSignIn("The dashboard needs the admin or help-desk role."); }
    else { $("signin-error").textContent = res.data.detail || "Sign-in failed."; }
  });
  $("signout").addEventListener("click", async () => { await call("DELETE", "/staff/session"); showSignIn("Signed out."); });

  function query() {
    const q = new URLSearchParams();
    q.set("days", $("days").value);
    if ($("channel").value) { q.set("channel", $("channel").value); }
    if ($("role").value) { q.set("role", $("role").value); }
    q.set("practice", $("practice").value);
    return q;
  }

  const pct = (v) => (v === null || v === undefined ? "–" : (v * 100).toFixed(1) + "%");
  const num = (v, unit) => (v === null || v === undefined ? "–" : String(Math.round(v)) + (unit || ""));
  const secs = (v) => (v === null || v === undefined ? "–" : (v < 120 ? Math.round(v) + " s" : (v / 60).toFixed(1) + " min"));

  function kpis(t, csat) {
    const items = [
      ["Turns", t.turns, "turns"], ["Conversations", t.conversations, "conversations"],
      ["Task success", pct(t.task_success_rate), "task_success_rate"],
      ["Fallback rate", pct(t.fallback_rate), "fallback_rate"],
      ["Hand-off rate", pct(t.handoff_rate), "handoff_rate"],
      ["Time to claim (p50)", secs(t.claim_p50_s), "claim_p50_s"],
      ["Latency p50", num(t.latency_p50_ms, " ms"), "latency_p50_ms"],
      ["Latency p95", num(t.latency_p95_ms, " ms"), "latency_p95_ms"],
      ["CSAT (mean of " + csat.rated + ")", csat.mean === null ? "–" : csat.mean.toFixed(2), "csat_mean"],
    ];
    const dl = $("kpis");
    dl.replaceChildren();
    for (const [label, value, key] of items) {
      const div = document.createElement("div");
      const dt = document.createElement("dt"); dt.textContent = label;
      const dd = document.createElement("dd"); dd.textContent = String(value); dd.dataset.key = key;
      div.append(dt, dd); dl.appendChild(div);
    }
  }

  function table(id, rows, first, label) {
    const cols = [[first, label, (r) => r[first]], ["turns", "Turns", (r) => r.turns],
      ["conversations", "Conversations", (r) => r.conversations],
      ["task_success_rate", "Task success", (r) => pct(r.task_success_rate)],
      ["fallback_rate", "Fallback rate", (r) => pct(r.fallback_rate)],
      ["handoffs", "Hand-offs", (r) => r.handoffs], ["handoff_rate", "Hand-off rate", (r) => pct(r.handoff_rate)],
      ["claim_p50_s", "Claim p50", (r) => secs(r.claim_p50_s)],
      ["latency_p50_ms", "p50 ms", (r) => num(r.latency_p50_ms)], ["latency_p95_ms", "p95 ms", (r) => num(r.latency_p95_ms)]];
    const t = $(id);
    t.replaceChildren();
    const head = t.createTHead().insertRow();
    cols.forEach(([key, text], i) => { const th = document.createElement("th"); th.scope = "col"; th.textContent = text; if (i) { th.className = "num"; } head.appendChild(th); });
    const body = t.createTBody();
    for (const r of rows) {
      const tr = body.insertRow();
      tr.dataset.key = r[first];
      cols.forEach(([key, , fmt], i) => { const td = tr.insertCell(); td.textContent = String(fmt(r)); td.dataset.key = key; if (i) { td.className = "num"; } });
    }
    if (!rows.length) { const tr = body.insertRow(); const td = tr.insertCell(); td.colSpan = cols.length; td.textContent = "No turns in this period."; }
  }

  function perDayTable(pd) {
    const t = $("per-day");
    t.replaceChildren();
    const head = t.createTHead().insertRow();
    for (const text of ["Day", ...Object.keys(pd.intents), "Fallbacks", "Turns"]) { const th = document.createElement("th"); th.scope = "col"; th.textContent = text; head.appendChild(th); }
    const body = t.createTBody();
    pd.days.forEach((day, i) => {
      const tr = body.insertRow();
      for (const v of [day, ...Object.values(pd.intents).map((s) => s[i]), pd.fallbacks[i], pd.turns[i]]) { tr.insertCell().textContent = String(v); }
    });
  }

  function width(el) { return Math.max(320, el.clientWidth - 8); }

  function plot(id, opts, data) {
    const el = $(id);
    if (charts[id]) { charts[id].destroy(); }
    el.replaceChildren();
    charts[id] = new uPlot(Object.assign({ width: width(el), height: 260 }, opts), data, el);
  }

  function charts_(report) {
    const pd = report.per_day;
    const xs = pd.days.map((d) => Date.parse(d + "T12:00:00Z") / 1000);
    const names = Object.keys(pd.intents);
    plot("chart-intents", {
      series: [{}, ...names.map((n, i) => ({ label: n, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: true } }))],
      axes: [{}, { label: "requests" }], scales: { y: { range: (u, lo, hi) => [0, Math.max(1, hi)] } },
    }, [xs, ...names.map((n) => pd.intents[n])]);
    plot("chart-turns", {
      series: [{}, { label: "turns", stroke: COLOURS[0], width: 2 }, { label: "fallbacks", stroke: COLOURS[4], width: 2, dash: [6, 4] }],
      axes: [{}, { label: "turns" }], scales: { y: { range: (u, lo, hi) => [0, Math.max(1, hi)] } },
    }, [xs, pd.turns, pd.fallbacks]);
    plot("chart-latency", {
      series: [{}, { label: "p50 ms", stroke: COLOURS[2], width: 2 }, { label: "p95 ms", stroke: COLOURS[1], width: 2 }],
      axes: [{}, { label: "ms" }], scales: { y: { range: (u, lo, hi) => [0, Math.max(1, hi)] } },
    }, [xs, pd.latency_p50_ms, pd.latency_p95_ms]);
    const counts = report.csat.counts;
    plot("chart-csat", {
      scales: { x: { time: false, range: [0.5, 5.5] }, y: { range: (u, lo, hi) => [0, Math.max(1, hi)] } },
      series: [{ label: "rating" }, { label: "tickets", stroke: COLOURS[0], fill: "rgba(11,61,145,0.35)",
        paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } }],
      axes: [{ label: "rating", splits: () => [1, 2, 3, 4, 5] }, { label: "tickets" }],
    }, [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5].map((n) => counts[String(n)])]);
  }

  function fillRoles(rows) {
    const select = $("role");
    const have = new Set([...select.options].map((o) => o.value));
    for (const r of rows) {
      if (!have.has(r.role)) { const o = document.createElement("option"); o.value = r.role; o.textContent = r.role; select.appendChild(o); }
    }
  }

  async function load() {
    const q = query();
    for (const table_ of ["daily", "channels", "roles"]) {
      const c = new URLSearchParams(q); c.set("table", table_);
      $("csv-" + table_).href = "/dashboard/export.csv?" + c.toString();
    }
    const res = await call("GET", "/dashboard/api/report?" + q.toString());
    if (res.status === 401) { showSignIn("Please sign in again."); return; }
    if (res.status !== 200) { $("error").textContent = res.data.detail || "The figures could not be loaded."; return; }
    $("error").textContent = "";
    const report = res.data;
    kpis(report.totals, report.csat);
    table("by-channel", report.by_channel, "channel", "Channel");
    table("by-role", report.by_role, "role", "Role");
    fillRoles(report.by_role);
    perDayTable(report.per_day);
    charts_(report);
    document.body.dataset.loaded = String(Date.now());
  }

  $("filters").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });

  call("GET", "/staff/session").then((res) => {
    if (res.status === 200 && res.data.permissions.includes("usage:read")) { showBoard(res.data); }
    else { showSignIn(res.status === 200 ? "The dashboard needs the admin or help-desk role." : ""); }
  });
})();
