import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';

export const health = new Hono<AppEnv>().get('/api/health', (c) => c.json({ status: 'ok' as const }));
