// Rapport dashboard, Import & export page: the X archive upload with a progress bar, then the
// import's progress, polled from the server until it ends with its summary or its error.
// Without this script the form posts as usual and the page shows the import on each reload.
// Nothing inline (the Content-Security-Policy allows only files from the server), and text from
// the server is only ever set with textContent.
"use strict";

(function () {
  const form = document.querySelector("[data-archive-form]");
  const panel = document.querySelector("[data-archive-run]");
  if (!(form instanceof HTMLFormElement) || !panel) return;

  const input = form.querySelector('input[type="file"]');
  const submit = form.querySelector("[data-archive-submit]");
  const upload = document.querySelector("[data-upload]");
  const uploadBar = document.querySelector("[data-upload-bar]");
  const uploadText = document.querySelector("[data-upload-text]");
  const title = panel.querySelector("[data-run-title]");
  const bar = panel.querySelector("[data-run-bar]");
  const barLabel = panel.querySelector("[data-run-bar-label]");
  const message = panel.querySelector("[data-run-message]");
  const summary = panel.querySelector("[data-run-summary]");
  const refresh = panel.querySelector("[data-run-refresh]");
  const maxBytes = Number(form.dataset.maxBytes || 0);
  const maxSize = form.dataset.maxSize || "";
  const POLL_MS = 1000;

  /** @param {number} bytes */
  function size(bytes) {
    if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
    return `${Math.max(1, Math.round(bytes / 1e3))} KB`;
  }

  /** @param {string} text @param {boolean} [failed] */
  function say(text, failed) {
    message.textContent = text;
    message.classList.toggle("transfer-failed", Boolean(failed));
  }

  function busy(on) {
    if (submit) submit.disabled = on;
  }

  /** Show a run as the status route describes it. */
  function show(run) {
    panel.hidden = false;
    if (refresh) refresh.hidden = true;
    const running = run.status === "running";
    title.textContent = `${running ? "Importing" : "Last import"}${run.file ? `: ${run.file}` : ""}`;
    const failed = run.status === "failed";
    bar.hidden = failed;
    barLabel.hidden = failed;
    if (run.status === "done") {
      bar.max = 1;
      bar.value = 1;
    } else if (running && run.progress.total > 1) {
      bar.max = run.progress.total;
      bar.value = run.progress.done;
    } else if (running) {
      bar.removeAttribute("value"); // no total yet: an indeterminate bar
    }
    say(run.message, failed);
    summary.replaceChildren();
    for (const [name, value] of run.lines || []) {
      const term = document.createElement("dt");
      term.textContent = name;
      const detail = document.createElement("dd");
      detail.textContent = typeof value === "number" ? value.toLocaleString("en-US") : String(value);
      summary.append(term, detail);
    }
    summary.hidden = summary.childElementCount === 0;
    panel.dataset.status = run.status;
    busy(running);
  }

  /** @param {string} url */
  function poll(url) {
    window.Rapport.followRun(
      url,
      show,
      () => {
        say("Rapport stopped answering about this import. Reload the page to see how it went.", true);
        busy(false);
      },
      POLL_MS
    );
  }

  /** What an upload that was not accepted tells the user. */
  function refusal(xhr) {
    if (xhr.status === 413) return `This file is larger than Rapport accepts (${maxSize}).`;
    if (xhr.status === 403) return "This form has expired. Reload the page (sign in again if asked) and try again.";
    try {
      const body = JSON.parse(xhr.responseText);
      if (body && typeof body.error === "string") return body.error;
    } catch (error) {
      // not JSON: fall through
    }
    return `The upload failed (the server answered ${xhr.status}). Try again.`;
  }

  function uploadFailed(text) {
    uploadText.textContent = text;
    uploadText.classList.add("transfer-failed");
    busy(false);
  }

  form.addEventListener("submit", (event) => {
    const file = input && input.files ? input.files[0] : null;
    if (!file) return; // the browser asks for one (the field is required)
    event.preventDefault();
    upload.hidden = false;
    uploadText.classList.remove("transfer-failed");
    uploadBar.max = file.size || 1;
    uploadBar.value = 0;
    if (maxBytes && file.size > maxBytes) {
      uploadFailed(`${file.name} is ${size(file.size)}: larger than Rapport accepts (${maxSize}).`);
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      uploadBar.max = progress.total;
      uploadBar.value = progress.loaded;
      uploadText.textContent = `Uploading ${file.name}: ${size(progress.loaded)} of ${size(progress.total)}`;
    });
    xhr.upload.addEventListener("load", () => {
      uploadBar.value = uploadBar.max;
      uploadText.textContent = `Uploaded ${file.name}. Starting the import…`;
    });
    xhr.addEventListener("load", () => {
      if (xhr.status !== 202) {
        uploadFailed(refusal(xhr));
        return;
      }
      uploadBar.value = uploadBar.max;
      uploadText.textContent = `Uploaded ${file.name}.`;
      const run = JSON.parse(xhr.responseText);
      show(run);
      if (run.status === "running") poll(run.status_url);
    });
    xhr.addEventListener("error", () => {
      uploadFailed("The upload was interrupted. Check that Rapport is still running, then try again.");
    });
    busy(true);
    uploadText.textContent = `Uploading ${file.name}…`;
    xhr.send(new FormData(form));
  });

  if (panel.dataset.status === "running" && panel.dataset.statusUrl) {
    busy(true);
    poll(panel.dataset.statusUrl);
  }
})();
