// Rapport dashboard, Lists page:
// - a form that came back refused has its first wrong field focused;
// - the new list's slug follows its name until the slug is typed in;
// - "Sync now" and "Plan only (dry run)" start the sync without leaving the page, which then
//   follows the run (polling the server) to its summary or its error.
// Without this script the forms post as usual and the page shows the run on each reload.
// Nothing inline (the Content-Security-Policy allows only files from the server), and text from
// the server is only ever set with textContent.
"use strict";

(function () {
  const wrong = document.querySelector('main [aria-invalid="true"]');
  if (wrong instanceof HTMLElement) wrong.focus();
})();

(function () {
  const name = document.getElementById("new-name");
  const slug = document.querySelector("[data-slug]");
  if (!(name instanceof HTMLInputElement) || !(slug instanceof HTMLInputElement)) return;

  /** The slug the server would make of a name (x/list_sync.py, `_slugify`); "" when none. */
  function slugify(text) {
    return text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 50)
      .replace(/-+$/, "");
  }

  let typedIn = slug.value !== "" && slug.value !== slugify(name.value);
  slug.addEventListener("input", () => {
    typedIn = slug.value !== "";
  });
  name.addEventListener("input", () => {
    if (!typedIn) slug.value = slugify(name.value);
  });
})();

(function () {
  const panel = document.querySelector("[data-sync-run]");
  if (!(panel instanceof HTMLElement)) return;

  const title = panel.querySelector("[data-run-title]");
  const bar = panel.querySelector("[data-run-bar]");
  const barLabel = panel.querySelector("[data-run-bar-label]");
  const message = panel.querySelector("[data-run-message]");
  const facts = panel.querySelector("[data-run-facts]");
  const refresh = panel.querySelector("[data-run-refresh]");
  const lists = panel.querySelector("[data-run-lists]");
  const counts = panel.querySelector("[data-run-counts]");
  const notes = panel.querySelector("[data-run-notes]");
  const reload = panel.querySelector("[data-run-reload]");
  const buttons = () => Array.from(document.querySelectorAll("[data-sync-button]"));
  const POLL_MS = 700;

  /** @param {boolean} on */
  function busy(on) {
    for (const button of buttons()) button.disabled = on;
  }

  /** @param {string} text @param {boolean} failed */
  function say(text, failed) {
    message.textContent = text;
    message.classList.toggle("sync-failed", failed);
  }

  /** @param {string} tag @param {string} text */
  function element(tag, text) {
    const made = document.createElement(tag);
    made.textContent = text;
    return made;
  }

  /** Show a run as the status route describes it. */
  function show(run) {
    panel.hidden = false;
    if (refresh) refresh.hidden = true;
    const running = run.status === "running";
    title.textContent = `${running ? "Running" : "Last run"}: ${run.title}`;
    bar.hidden = !running;
    barLabel.hidden = !running;
    if (running && run.progress.total) {
      bar.max = run.progress.total;
      bar.value = Math.min(run.progress.done, run.progress.total);
    } else {
      bar.removeAttribute("value"); // no total (yet): an indeterminate bar
    }
    say(run.message, run.status === "failed" || run.status === "partial");
    facts.textContent = run.facts;

    lists.replaceChildren();
    for (const line of run.lists || []) {
      const item = document.createElement("li");
      item.append(element("strong", line.name), `: ${line.text}`);
      if (line.problems.length) {
        const problems = document.createElement("ul");
        problems.className = "sync-problems";
        for (const text of line.problems) problems.append(element("li", text));
        item.append(problems);
      }
      lists.append(item);
    }
    lists.hidden = lists.childElementCount === 0;

    counts.replaceChildren();
    for (const [label, value] of run.counts || []) {
      const shown = typeof value === "number" ? value.toLocaleString("en-US") : String(value);
      counts.append(element("dt", label), element("dd", shown));
    }
    counts.hidden = counts.childElementCount === 0;

    notes.replaceChildren();
    for (const text of run.notes || []) notes.append(element("li", text));
    notes.hidden = notes.childElementCount === 0;

    panel.dataset.status = run.status;
    reload.hidden = running || run.dry_run;
    busy(running);
  }

  /** @param {string} url */
  function poll(url) {
    window.Rapport.followRun(
      url,
      show,
      () => {
        say("Rapport stopped answering about this sync. Reload the page to see how it went.", true);
        busy(false);
      },
      POLL_MS
    );
  }

  /** What a refused start tells the user. @param {Response} response */
  function refusal(response) {
    if (response.status === 403) {
      return Promise.resolve("This form has expired. Reload the page (sign in again if asked) and try again.");
    }
    return response
      .json()
      .then((body) => (body && typeof body.error === "string" ? body.error : ""))
      .catch(() => "")
      .then((text) => text || `The sync did not start (the server answered ${response.status}).`);
  }

  /** @param {SubmitEvent} event */
  function start(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-sync-form]")) return;
    event.preventDefault();
    const submitter = event.submitter instanceof HTMLButtonElement ? event.submitter : null;
    // Read the form before disabling its buttons: a disabled submitter would not be sent.
    const body = new FormData(form, submitter);
    busy(true);
    panel.hidden = false;
    title.textContent = "Starting a sync";
    for (const part of [lists, counts, notes, reload]) part.hidden = true;
    say("Starting…", false);
    title.focus();
    fetch(form.action, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => {
        if (response.status !== 202) {
          return refusal(response).then((text) => {
            say(text, true);
            busy(panel.dataset.status === "running");
          });
        }
        return response.json().then((run) => {
          show(run);
          if (run.status === "running") poll(run.status_url);
        });
      })
      .catch(() => {
        say("Rapport did not answer. Check that it is still running, then try again.", true);
        busy(false);
      });
  }

  document.addEventListener("submit", start);
  if (panel.dataset.status === "running" && panel.dataset.statusUrl) poll(panel.dataset.statusUrl);
})();
