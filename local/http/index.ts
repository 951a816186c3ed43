export { DEFAULT_HOST, type ListeningServer, type ListenOptions, listen } from "./listen.js";
