// Rapport dashboard: small touches on top of pages that work without scripts.
// - "Check everyone on this page" in the People table, and a count of the checked rows;
// - a confirmation before forms marked data-confirm (deleting a note).
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
