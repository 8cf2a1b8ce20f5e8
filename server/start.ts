/**
 * `npm start`: development defaults (demo data, dev sign-in) unless the environment says
 * otherwise: `KK_DEMO=0 npm start` starts empty, `KK_AUTH=oidc npm start` signs in for real.
 */
process.env.KK_DEMO ??= '1';
process.env.KK_AUTH ??= 'dev';

const { startNode } = await import('./node.ts');
await startNode().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
export {};
