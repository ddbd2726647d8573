// Rapport dashboard: small touches on top of pages that work without scripts.
// - "Check everyone on this page" in the People table, and a count of the checked rows;
// - a confirmation before forms marked data-confirm (deleting a note);
// - on the Pipeline, dragging a card onto another column submits the card's own "Move to" form;
// - `Rapport.followRun`, which the Lists and Import & export pages use to follow a run working
//   in the background (a sync with X, an archive import) until it ends.
// No libraries, nothing inline (the Content-Security-Policy allows only this file), and user
// text is only ever set with textContent.
"use strict";

(function () {
  const all = document.querySelector("[data-select-all]");
  const count = document.querySelector("[data-selected-count]");
  const boxes = () => Array.from(document.querySelectorAll('input[type="checkbox"][name="person"]'));

  function showCount() {
    const checked = boxes().filter((box) => box.checked).length;
    if (count) count.textContent = checked ? `(${checked} checked)` : "";
    if (all) {
      const total = boxes().length;
      all.checked = total > 0 && checked === total;
      all.indeterminate = checked > 0 && checked < total;
    }
  }

  if (all) {
    all.hidden = false;
    all.addEventListener("change", () => {
      for (const box of boxes()) box.checked = all.checked;
      showCount();
    });
  }
  for (const box of boxes()) box.addEventListener("change", showCount);
  showCount();

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();

(function () {
  const board = document.querySelector("[data-board]");
  if (!board) return;
  let dragged = null;
  board.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element ? event.target.closest(".board-card") : null;
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.person || "");
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    for (const column of board.querySelectorAll(".column.drop")) column.classList.remove("drop");
  });
  board.addEventListener("dragover", (event) => {
    const column = event.target instanceof Element ? event.target.closest(".column") : null;
    if (!column || !dragged) return;
    event.preventDefault();
    for (const other of board.querySelectorAll(".column.drop")) {
      if (other !== column) other.classList.remove("drop");
    }
    column.classList.add("drop");
  });
  board.addEventListener("drop", (event) => {
    const column = event.target instanceof Element ? event.target.closest(".column") : null;
    if (!column || !dragged) return;
    event.preventDefault();
    const form = dragged.querySelector("form.move");
    const select = form ? form.querySelector('select[name="stage"]') : null;
    if (!form || !select || select.value === column.dataset.stage) return;
    select.value = column.dataset.stage || "";
    form.submit();
  });
})();

(function () {
  /**
   * Ask the status route `url` of a background run how it is going, and again every `everyMs`
   * while it runs; `show(run)` gets each answer, `lost()` is called when the server stops
   * answering (or the session ended).
   * @param {string} url @param {(run: any) => void} show @param {() => void} lost
   * @param {number} everyMs
   */
  function followRun(url, show, lost, everyMs) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then((response) => {
        if (response.redirected || !response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then((run) => {
        show(run);
        if (run.status === "running") {
          window.setTimeout(() => followRun(url, show, lost, everyMs), everyMs);
        }
      })
      .catch(lost);
  }

  window.Rapport = Object.assign(window.Rapport || {}, { followRun });
})();
