/* The floor of the content-script benchmark: what a content script that notices the rows x.com
 * adds pays on the page's main thread, doing nothing with them.
 *
 * It watches the same containers with the same observer options as Rapport's badges
 * (extension/content/features/badges.js), collects the added elements, and lets them go in a
 * timer 100 ms later, as the badges' debounce does. The benchmark loads it, with the extension's
 * selectors module, as an extension of its own (tools/bench/extension_bench.py).
 */
(() => {
  "use strict";
  const sel = globalThis.Rapport.selectors;
  const OPTIONS = { childList: true, subtree: true, attributes: true, attributeFilter: ["href", "data-testid"] };
  let pending = new Set();
  let timer = null;

  function flush() {
    timer = null;
    pending = new Set();
  }

  function onMutations(records) {
    for (const rec of records) {
      if (rec.type === "childList") {
        for (const node of rec.addedNodes) if (node.nodeType === 1) pending.add(node);
      } else if (rec.target.nodeType === 1) pending.add(rec.target);
    }
    if (pending.size && !timer) timer = setTimeout(flush, 100);
  }

  function attach() {
    const main = sel.first(document, "main");
    if (!main) return false;
    const observer = new MutationObserver(onMutations);
    for (const root of [main, sel.first(document, "layers")]) if (root) observer.observe(root, OPTIONS);
    return true;
  }

  if (!attach()) {
    const waiting = new MutationObserver(() => attach() && waiting.disconnect());
    waiting.observe(document.documentElement, { childList: true, subtree: true });
  }
})();
