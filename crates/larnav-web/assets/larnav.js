// Lärnav's only script: progressive enhancement. Every page works without it.
"use strict";

// Search-as-you-type: an input with data-live-search fetches hits from the JSON API and lists
// them in the live region named by data-results (announced politely to screen readers).
function liveSearch(input) {
  const region = document.getElementById(input.dataset.results);
  if (!region) return;
  let timer = null;
  let latest = 0;
  const item = (href, text, note) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    li.appendChild(a);
    if (note) {
      const span = document.createElement("span");
      span.className = "muted";
      span.textContent = " " + note;
      li.appendChild(span);
    }
    return li;
  };
  const section = (title, items) => {
    if (items.length === 0) return null;
    const frag = document.createDocumentFragment();
    const h = document.createElement("h3");
    h.textContent = title;
    const ul = document.createElement("ul");
    items.forEach((i) => ul.appendChild(i));
    frag.appendChild(h);
    frag.appendChild(ul);
    return frag;
  };
  const sv = region.dataset.lang !== "en";
  const run = async () => {
    const q = input.value.trim();
    const mine = ++latest;
    if (q.length === 0) { region.replaceChildren(); return; }
    region.textContent = region.dataset.loading;
    try {
      const res = await fetch(input.dataset.liveSearch + "?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } });
      if (!res.ok || mine !== latest) return;
      const hits = await res.json();
      const occ = hits.occupation_groups.map((g) => item("/reference/occupations/" + g.code, g.code + " " + g.name))
        .concat(hits.occupation_names.map((n) => item("/reference/occupations/" + n.group_code, n.name, n.group_code + " " + n.group_name)));
      const places = hits.lan.map((l) => item("/reference/places/" + l.code, l.name, l.code))
        .concat(hits.kommuner.map((k) => item("/reference/places/" + k.lan_code + "#k" + k.code, k.name, k.code + ", " + k.lan_name)));
      const parts = [section(sv ? "Yrken" : "Occupations", occ), section(sv ? "Platser" : "Places", places)].filter(Boolean);
      if (parts.length === 0) region.textContent = region.dataset.empty;
      else region.replaceChildren(...parts);
    } catch (e) {
      region.replaceChildren();
    }
  };
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); });
}

// Import progress: while a job-ad import runs, poll its JSON and update the figures; reload
// once it has finished so the rejected lines show. Without script the page has a reload link.
function importProgress(box) {
  if (box.dataset.status !== "running") return;
  const lang = document.documentElement.lang === "en" ? "en-GB" : "sv-SE";
  const tick = async () => {
    try {
      const res = await fetch(box.dataset.importProgress, { headers: { Accept: "application/json" } });
      if (!res.ok) return;
      const run = (await res.json()).import;
      if (run.status !== "running") { window.location.reload(); return; }
      box.querySelectorAll("[data-field]").forEach((dd) => {
        dd.textContent = Number(run[dd.dataset.field]).toLocaleString(lang);
      });
      const bar = box.querySelector("progress");
      if (bar && run.file_bytes > 0) {
        const pct = Math.min(100, Math.floor((run.bytes_done * 100) / run.file_bytes));
        bar.value = pct;
        bar.textContent = pct + " %";
      }
    } catch (e) { /* try again on the next tick */ }
    setTimeout(tick, 2000);
  };
  setTimeout(tick, 2000);
}

// Catalogue search-as-you-type: the form's own GET is fetched as the user types and the results
// region is replaced by the same region of the answer, so facets, hits and paging stay the
// server's (one renderer). The address follows, so the back button and links keep working.
function liveCatalogue(form) {
  const target = form.dataset.liveResults;
  const region = document.getElementById(target);
  if (!region) return;
  let timer = null;
  let latest = 0;
  const run = async () => {
    const params = new URLSearchParams(new FormData(form));
    const url = form.action + "?" + params.toString();
    const mine = ++latest;
    try {
      const res = await fetch(url, { headers: { Accept: "text/html" } });
      if (!res.ok || mine !== latest) return;
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      const fresh = doc.getElementById(target);
      if (!fresh || mine !== latest) return;
      region.replaceChildren(...fresh.childNodes);
      history.replaceState(null, "", url);
    } catch (e) { /* the submit button still works */ }
  };
  form.querySelectorAll("input[type=search]").forEach((input) =>
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); }));
  form.querySelectorAll("select").forEach((select) => select.addEventListener("change", run));
}

// "Select all": a hidden checkbox with data-select-all="name" is shown and ticks every checkbox
// of that name in its form (without the script, each row is ticked by hand).
function selectAll(box) {
  const wrapper = box.closest("[hidden]");
  if (wrapper) wrapper.hidden = false;
  box.addEventListener("change", () =>
    box.form.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`)
      .forEach((c) => { c.checked = box.checked; }));
}

// The main menu collapses behind a "Meny" button on narrow screens (the CSS shows the button
// only there); without the script the menu is simply always open.
function collapsibleMenu(nav) {
  const list = nav.querySelector("ul");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "menu-button";
  button.textContent = nav.dataset.menuLabel;
  button.setAttribute("aria-controls", list.id);
  button.setAttribute("aria-expanded", "false");
  nav.classList.add("is-collapsed");
  button.addEventListener("click", () => {
    const open = nav.classList.toggle("is-collapsed") === false;
    button.setAttribute("aria-expanded", String(open));
  });
  nav.insertBefore(button, list);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("nav[data-collapsible]").forEach(collapsibleMenu);
  document.querySelectorAll("input[data-select-all]").forEach(selectAll);
  document.querySelectorAll("input[data-live-search]").forEach(liveSearch);
  document.querySelectorAll("form[data-live-results]").forEach(liveCatalogue);
  document.querySelectorAll("[data-import-progress]").forEach(importProgress);
  // A print button (the learner's record); without the script the browser's own print works.
  document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
  // Move focus to an error summary so that keyboard and screen-reader users hear it first.
  const summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();
});
