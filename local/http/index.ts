export { closeOnSignal, runMain } from "./lifecycle.js";
export { DEFAULT_HOST, type ListeningServer, type ListenOptions, listen } from "./listen.js";
