// The options page: where the extension finds its server (address and pairing token), a
// connection test, and the feature switches. Settings are stored by lib/config.js; the test is
// made by the service worker (`options.test`), the one part that calls the server.

import { checkBackendUrl, cleanToken, loadConfig, saveConfig } from "../lib/config.js";

/** @param {string} id */
const $ = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

/**
 * @param {string} id
 * @param {string} text
 * @param {"ok" | "error" | ""} [kind]
 */
function say(id, text, kind = "") {
  const $element = $(id);
  $element.textContent = text;
  $element.dataset.kind = kind;
}

/** The address typed, checked; shows what is wrong beside the field. */
function checkedUrl() {
  const checked = checkBackendUrl($("backendUrl").value);
  $("backendUrl-error").textContent = checked.ok ? "" : checked.error;
  $("backendUrl").setAttribute("aria-invalid", String(!checked.ok));
  return checked.ok ? checked.url : null;
}

/**
 * Ask the worker to try the address and token given (nothing is saved by this).
 * @param {string} backendUrl
 * @param {string} token
 * @returns {Promise<{ok: boolean, text: string}>}
 */
async function test(backendUrl, token) {
  /** @type {Record<string, any> | undefined} */
  let answer;
  try {
    answer = await chrome.runtime.sendMessage({ type: "options.test", backendUrl, token });
  } catch {
    answer = undefined;
  }
  if (!answer) return { ok: false, text: "The extension did not answer; try reloading this page." };
  if (answer.ok) {
    return { ok: true, text: `Connected: Rapport ${answer.version} at ${backendUrl}.` };
  }
  const code = answer.error?.code;
  if (answer.state === "offline") {
    return {
      ok: false,
      text: `Unreachable: ${answer.error?.message ?? "nothing answers at that address."}`,
    };
  }
  if (code === "token_missing") {
    return { ok: false, text: "No token yet: paste the one that 'rapport token' prints." };
  }
  if (answer.state === "unpaired") {
    return {
      ok: false,
      text: "Wrong token: the server refused it. Copy it again from 'rapport token'.",
    };
  }
  return { ok: false, text: answer.error?.message ?? "The test failed." };
}

/** The settings the server keeps (auto-advance), shown once the server answers. */
async function showServerSettings() {
  const answer = await chrome.runtime.sendMessage({ type: "settings.get" }).catch(() => undefined);
  if (!answer?.ok || !answer.settings) return;
  const $auto = $("autoAdvance");
  $auto.checked = answer.settings.auto_advance === true;
  $("server-settings").hidden = false;
  $auto.addEventListener("change", async () => {
    const wanted = $auto.checked;
    say("server-settings-result", "Saving…");
    const saved = await chrome.runtime
      .sendMessage({ type: "settings.set", settings: { auto_advance: wanted } })
      .catch(() => undefined);
    if (saved?.ok) say("server-settings-result", "Saved.", "ok");
    else {
      $auto.checked = !wanted;
      say("server-settings-result", saved?.error?.message ?? "Not saved: is the server running?", "error");
    }
  });
}

async function main() {
  const config = await loadConfig();
  $("backendUrl").value = config.backendUrl;
  $("token").value = config.token;
  $("badges").checked = config.badges;
  $("autoCapture").checked = config.autoCapture;
  $("captureEveryone").checked = config.captureEveryone;

  $("reveal").addEventListener("click", () => {
    const shown = $("token").type === "text";
    $("token").type = shown ? "password" : "text";
    $("reveal").textContent = shown ? "Show" : "Hide";
    $("reveal").setAttribute("aria-pressed", String(!shown));
  });

  // Checked when tested or saved; typing clears the message. (Checking as the field loses focus
  // would move the buttons under the pointer between press and release, losing the click.)
  $("backendUrl").addEventListener("input", () => {
    $("backendUrl-error").textContent = "";
    $("backendUrl").removeAttribute("aria-invalid");
  });

  $("test").addEventListener("click", async () => {
    const url = checkedUrl();
    if (!url) return say("result", "Fix the server address first.", "error");
    say("result", "Testing…");
    const outcome = await test(url, cleanToken($("token").value));
    say("result", outcome.text, outcome.ok ? "ok" : "error");
  });

  $("connection").addEventListener("submit", async (event) => {
    event.preventDefault();
    const url = checkedUrl();
    if (!url) return say("result", "Not saved: fix the server address first.", "error");
    const token = cleanToken($("token").value);
    await saveConfig({ backendUrl: url, token });
    $("backendUrl").value = url;
    $("token").value = token;
    say("result", "Saved. Testing…");
    const outcome = await test(url, token);
    say("result", `Saved. ${outcome.text}`, outcome.ok ? "ok" : "error");
  });

  showServerSettings().catch(() => {});

  for (const name of /** @type {const} */ (["badges", "autoCapture", "captureEveryone"])) {
    $(name).addEventListener("change", async () => {
      await saveConfig({ [name]: $(name).checked });
      say("features-result", "Saved.", "ok");
    });
  }
}

main().catch((error) =>
  say("result", `The options could not be loaded: ${error.message}`, "error"),
);
