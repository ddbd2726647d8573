// Connected / offline / not paired: what the worker last learned from the server, shown on the
// toolbar button (with, while connected, how many people are due for a follow-up), and the
// `rapport-probe` alarm that keeps trying while there is reason to.

/** @typedef {import("./api.js").State} State */

export const PROBE_ALARM = "rapport-probe";
/** Chrome's shortest alarm period: every 30 seconds. */
export const PROBE_PERIOD_MINUTES = 0.5;

/** @type {Record<State, {text: string, color: string, title: string}>} */
export const BADGES = {
  connected: { text: "", color: "#1d4ed8", title: "Rapport" },
  offline: { text: "off", color: "#6b7280", title: "Rapport: the server cannot be reached" },
  unpaired: { text: "!", color: "#d97706", title: "Rapport: not paired with the server" },
};

/** The toolbar badge while connected: the number of follow-ups due, if any. @param {number} due */
export function dueBadge(due) {
  if (!(due > 0)) return BADGES.connected;
  const people = due === 1 ? "1 person is" : `${due} people are`;
  return {
    text: due > 99 ? "99+" : String(due),
    color: BADGES.connected.color,
    title: `Rapport: ${people} due for a follow-up`,
  };
}

/**
 * @typedef {object} StatusOptions
 * @property {any} action   chrome.action
 * @property {any} alarms   chrome.alarms
 * @property {(state: State, before: State | null) => void} [onChange]
 */

/**
 * @param {StatusOptions} options
 */
export function createStatus({ action, alarms, onChange = () => {} }) {
  /** @type {State | null} null until the worker has heard from the server */
  let state = null;
  /** @type {Promise<unknown>} */
  let alarmWork = Promise.resolve();
  /** follow-ups due, as last heard */
  let due = 0;

  /** @param {State} next */
  async function showBadge(next) {
    const badge = next === "connected" ? dueBadge(due) : BADGES[next];
    await Promise.all([
      action.setBadgeText({ text: badge.text }),
      action.setBadgeBackgroundColor({ color: badge.color }),
      action.setTitle({ title: badge.title }),
    ]);
  }

  return {
    /** @returns {State | null} */
    get state() {
      return state;
    },

    /**
     * Record what the last call showed; the badge follows.
     * @param {State} next
     */
    async set(next) {
      const before = state;
      state = next;
      if (before === next) return;
      onChange(next, before);
      await showBadge(next).catch(() => {});
    },

    /** @returns {number} */
    get due() {
      return due;
    },

    /**
     * How many follow-ups are due; shown on the badge while connected.
     * @param {number} count
     */
    async setDue(count) {
      const next = Number.isInteger(count) && count > 0 ? count : 0;
      if (next === due) return;
      due = next;
      if (state === "connected") await showBadge("connected").catch(() => {});
    },

    /** Forget the state (the settings changed): the next call will tell. */
    reset() {
      state = null;
    },

    /**
     * Keep the probe alarm while the server is offline or writes are waiting (unless the
     * token is refused: then only new settings help), and clear it otherwise.
     * @param {number} queued
     */
    syncAlarm(queued) {
      const wanted = state === "offline" || (queued > 0 && state !== "unpaired");
      // One change at a time; `create` would restart an existing alarm's period, so it is
      // created only when missing.
      alarmWork = alarmWork
        .then(async () => {
          const existing = await alarms.get(PROBE_ALARM);
          if (wanted && !existing) {
            await alarms.create(PROBE_ALARM, { periodInMinutes: PROBE_PERIOD_MINUTES });
          } else if (!wanted && existing) {
            await alarms.clear(PROBE_ALARM);
          }
        })
        .catch(() => {});
      return alarmWork;
    },
  };
}
