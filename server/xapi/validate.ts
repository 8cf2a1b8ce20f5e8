import type { z } from 'zod';
import { statementSchema } from './statement.ts';

export { isDuration, isIri, isIrl, isLanguageTag, isUuid, timestampInstant } from './formats.ts';
export { statementSchema, type Statement } from './statement.ts';

/** One violation of the statement format: where, and the sentence that says it. */
export interface XapiIssue {
  path: string;
  message: string;
}

const caseHint = (i: XapiIssue) => i.message.includes('(property names are case-sensitive:');

function join(path: string, key: PropertyKey): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${String(key)}` : String(key);
}

/**
 * Every violation of xAPI 1.0.3's statement format in one statement (statement.ts), one per path
 * (the first found: a null is not also "not a string"); empty when it is valid. `path` prefixes
 * the paths, e.g. `[3]` for the fourth statement of a batch.
 */
export function validateStatement(statement: unknown, path = ''): XapiIssue[] {
  const parsed = statementSchema.safeParse(statement);
  if (parsed.success) return [];
  const issues: XapiIssue[] = [];
  const add = (issue: z.core.$ZodIssue, prefix: PropertyKey[]) => {
    const at = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length) {
      // An activity or a list of them: the branch the value has the shape of says what is wrong.
      const branch = issue.errors.find((b) => !b.some((i) => i.code === 'invalid_type' && i.path.length === 0)) ?? issue.errors[0];
      for (const i of branch) add(i, at);
      return;
    }
    const p = at.reduce<string>(join, path);
    const key = p || '(statement)';
    if (!issues.some((i) => i.path === key)) issues.push({ path: key, message: `${p || 'the statement'} ${issue.message}` });
  };
  for (const issue of parsed.error.issues) add(issue, []);
  // A key in the wrong case first: the "required" of its right spelling follows from it.
  return [...issues.filter(caseHint), ...issues.filter((i) => !caseHint(i))];
}
