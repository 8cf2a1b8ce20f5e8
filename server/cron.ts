/**
 * wrangler.toml's retry cron: only delivery of what earlier runs could not send. Not exported from
 * server/worker.ts: workerd takes every named export of the Worker's main module for an
 * entrypoint and refuses to start on a string ("Incorrect type for map entry 'RETRY_CRON'").
 */
export const RETRY_CRON = '*/15 * * * *';
