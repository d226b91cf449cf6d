import type { EnvVar } from './env.js';

// The kinds of environment variable a spec (env.ts) is made of: each parses its raw value (undefined when unset or
// blank) and throws a message that readConfig prefixes with the variable's name.

export function int(describe: string, options: { default?: number; min?: number; max?: number } = {}): EnvVar<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  return {
    describe,
    default: options.default === undefined ? undefined : String(options.default),
    parse(raw) {
      if (raw === undefined) {
        if (options.default === undefined) throw new Error('is required');
        return options.default;
      }
      if (!/^-?[0-9]+$/.test(raw)) throw new Error(`must be an integer, got ${JSON.stringify(raw)}`);
      const value = Number(raw);
      if (value < min || value > max) throw new Error(`must be between ${min} and ${max}, got ${value}`);
      return value;
    },
  };
}

export function str(describe: string, options: { default?: string; pattern?: RegExp } = {}): EnvVar<string> {
  return {
    describe,
    default: options.default,
    parse(raw) {
      const value = raw ?? options.default;
      if (value === undefined) throw new Error('is required');
      if (options.pattern !== undefined && !options.pattern.test(value)) {
        throw new Error(`must match ${options.pattern}, got ${JSON.stringify(value)}`);
      }
      return value;
    },
  };
}

export function list(describe: string, options: { default?: string[] } = {}): EnvVar<string[]> {
  return {
    describe,
    default: options.default?.join(','),
    parse(raw) {
      if (raw === undefined) {
        if (options.default === undefined) throw new Error('is required');
        return options.default;
      }
      const items = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      if (items.length === 0) throw new Error('must list at least one value');
      return items;
    },
  };
}

export function oneOf<const T extends string>(describe: string, values: readonly T[], fallback: T): EnvVar<T> {
  return {
    describe,
    default: fallback,
    parse(raw) {
      if (raw === undefined) return fallback;
      if (!(values as readonly string[]).includes(raw)) {
        throw new Error(`must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
      }
      return raw as T;
    },
  };
}

export function url(describe: string, options: { default?: string } = {}): EnvVar<string> {
  return {
    describe,
    default: options.default,
    parse(raw) {
      const value = raw ?? options.default;
      if (value === undefined) throw new Error('is required');
      try {
        new URL(value);
      } catch {
        throw new Error(`must be a URL, got ${JSON.stringify(value)}`);
      }
      return value;
    },
  };
}

/** Comma-separated http(s) URLs: one server, or a cluster's servers (the preferred one first). */
export function httpUrls(describe: string, options: { default?: string } = {}): EnvVar<string[]> {
  return urlList(
    describe,
    options,
    'http(s)://host:port',
    (url) => url.protocol === 'http:' || url.protocol === 'https:',
  );
}

/** Comma-separated `redis://host:port[/db]` addresses: a server, or the seed nodes of a cluster. */
export function redisUrls(describe: string, options: { default?: string } = {}): EnvVar<string[]> {
  return urlList(
    describe,
    options,
    'redis://host:port[/db]',
    (url) => url.protocol === 'redis:' && url.hostname !== '' && /^(\/[0-9]{0,2})?$/.test(url.pathname),
  );
}

/** Comma-separated URLs of the given shape, none listed twice; an error names the first one that is not. */
function urlList(
  describe: string,
  options: { default?: string },
  shape: string,
  accepts: (url: URL) => boolean,
): EnvVar<string[]> {
  return {
    describe,
    default: options.default,
    parse(raw) {
      const value = raw ?? options.default;
      if (value === undefined) throw new Error('is required');
      const urls = value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      if (urls.length === 0) throw new Error(`must list at least one ${shape}`);
      for (const item of urls) {
        if (!URL.canParse(item) || !accepts(new URL(item)))
          throw new Error(`must be ${shape} (or several, comma-separated), got ${JSON.stringify(item)}`);
      }
      if (new Set(urls).size !== urls.length) throw new Error(`lists a server twice: ${JSON.stringify(value)}`);
      return urls;
    },
  };
}

/** The database number of a redis://host:port[/db] address: 0 when it names none. */
export function redisDatabase(item: string): number {
  return Number(new URL(item).pathname.slice(1) || '0');
}

/**
 * A password or other secret: KEY, or the file KEY_FILE names (a Docker secret). Messages name the variables and the
 * file, never the value.
 */
export function secret(describe: string, options: { default?: string } = {}): EnvVar<string> {
  return {
    describe,
    secret: true,
    default: options.default,
    parse(raw) {
      const value = raw ?? options.default;
      if (value === undefined) throw new Error('is required');
      return value;
    },
  };
}
