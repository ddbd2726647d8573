// The service worker: the only code that calls the Rapport server. Its work is in lib/worker.js;
// listeners must be registered as the worker starts, so this is all it does.

import { createWorker } from "./lib/worker.js";

createWorker(globalThis.chrome).listen();
