export {
  DEFAULT_REDIS_REST_TOKEN,
  DEFAULT_REDIS_URL,
  type RedisRestBridge,
  type RedisRestBridgeOptions,
  startRedisRestBridge,
} from "./bridge.js";
