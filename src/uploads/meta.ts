/** An asset's tags and context as the upload, tags and context APIs take them: checked and bounded. */
import { CldError } from '../errors';
import type { ApiParams } from '../url/signature';

export const MAX_TAGS_PER_ASSET = 100;
const MAX_TAG_LENGTH = 255;
export const MAX_CONTEXT_KEYS = 100;
const MAX_CONTEXT_KEY = 128;
const MAX_CONTEXT_VALUE = 1024;

type Params = Record<string, ApiParams[string] | string[]>;

function texts(params: Params, key: string): string[] {
  const v = params[key];
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v.map(String) : String(v).split(',');
}

export function checkTag(tag: string): string {
  const t = tag.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (!t || t.length > MAX_TAG_LENGTH || /[\u0000-\u001f\u007f]/.test(t))
    throw new CldError(400, `Invalid tag '${tag.slice(0, 64)}': 1 to ${MAX_TAG_LENGTH} characters, no control characters`);
  return t;
}

/** The `tags` upload parameter (comma-separated, or a list): checked and deduplicated. */
export function parseTags(params: Params, key = 'tags'): string[] {
  const tags = [...new Set(texts(params, key).map(checkTag))];
  if (tags.length > MAX_TAGS_PER_ASSET) throw new CldError(400, `Too many tags: at most ${MAX_TAGS_PER_ASSET} per asset`);
  return tags;
}

/** `k=v|k2=v2`, `\=` and `\|` escaped inside keys and values (the SDKs' encode_context), or a JSON object. */
export function parseContext(raw: string): Record<string, string> {
  const context: Record<string, string> = {};
  const trimmed = raw.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw new CldError(400, 'Invalid context: not JSON');
    }
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) context[k] = String(v);
  } else {
    for (const pair of trimmed.split(/(?<!\\)\|/)) {
      if (!pair) continue;
      const eq = pair.search(/(?<!\\)=/);
      const unescaped = (s: string) => s.replace(/\\([=|])/g, '$1');
      const key = unescaped(eq < 0 ? pair : pair.slice(0, eq));
      context[key] = unescaped(eq < 0 ? '' : pair.slice(eq + 1));
    }
  }
  const keys = Object.keys(context);
  if (keys.length > MAX_CONTEXT_KEYS) throw new CldError(400, `Too many context keys: at most ${MAX_CONTEXT_KEYS}`);
  for (const k of keys)
    if (!k || k.length > MAX_CONTEXT_KEY || context[k].length > MAX_CONTEXT_VALUE)
      throw new CldError(400, `Invalid context key '${k.slice(0, 64)}': keys 1 to ${MAX_CONTEXT_KEY} characters, values at most ${MAX_CONTEXT_VALUE}`);
  return context;
}
