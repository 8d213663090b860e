import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

/** The Lua scripts of the simulator, by file stem (`<verbNoun>-<numKeys>`, `-n` = variable). @internal */
export const SCRIPT_FILES = [
  'initNetwork-3',
  'addFault-2',
  'signalLsp-n',
  'resizeLsp-5',
  'teardownLsp-n',
  'rebootNode-11',
  'bindLabel-6',
  'releaseLabel-5',
  'advertiseMembership-7',
  'withdrawMembership-6',
  'addSession-5',
  'modifySession-4',
  'removeSession-4',
  'applyMarking-4',
] as const;

/** A script file stem. @internal */
export type ScriptName = (typeof SCRIPT_FILES)[number];

/**
 * Negative results of the Lua scripts (STYLE.md "Errors": scripts return negative integers, one enum
 * maps them). Non-negative codes are successes.
 * @internal
 */
export enum ScriptCode {
  Ok = 0,
  Existing = 1,
  NoBandwidth = -1,
  NotFound = -2,
  Conflict = -3,
  LabelSpaceExhausted = -4,
  UnknownVpn = -5,
  LspNotUp = -6,
  TopologyMismatch = -7,
  Retry = -8,
  HalfWay = -9,
  UnknownLink = -10,
  /** An injected fault (scripts/includes/faults.lua): `{code, fault id, operation kind}`. */
  FaultRefused = -11,
  FaultReboot = -12,
  FaultTimeout = -13,
}

/** A script reply: a code, then script-specific values. @internal */
export type ScriptReply = readonly [code: number, ...rest: (string | number | null)[]];

const INCLUDE = /^-- #include (\w[\w-]*)\s*$/gm;

function loadScript(stem: string): string {
  const dir = new URL('./scripts/', import.meta.url);
  const text = readFileSync(new URL(`${stem}.lua`, dir), 'utf8');
  return text.replace(INCLUDE, (_line, name: string) =>
    readFileSync(new URL(`includes/${name}.lua`, dir), 'utf8'),
  );
}

let sources: Map<ScriptName, string> | undefined;

/** The script sources with their includes expanded (read once per process). @internal */
export function scriptSources(): ReadonlyMap<ScriptName, string> {
  sources ??= new Map(SCRIPT_FILES.map((stem) => [stem, loadScript(stem)]));
  return sources;
}

function commandName(stem: ScriptName): string {
  const base = stem.slice(0, stem.lastIndexOf('-'));
  return `pesim${base.charAt(0).toUpperCase()}${base.slice(1)}`;
}

type ScriptMethod = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

/**
 * Runs the simulator's Lua scripts through ioredis `defineCommand` (EVALSHA with an automatic EVAL
 * fallback). Every script declares all keys it touches, as Redis Cluster requires.
 * @internal
 */
export class ScriptRunner {
  readonly #redis: Redis | Cluster;

  constructor(redis: Redis | Cluster) {
    this.#redis = redis;
    const defined = redis as unknown as Record<string, unknown>;
    for (const [stem, lua] of scriptSources()) {
      if (typeof defined[commandName(stem)] !== 'function') redis.defineCommand(commandName(stem), { lua });
    }
  }

  /** Runs a script; `keys` are declared as KEYS, `args` passed as ARGV. */
  async run(stem: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const method = (this.#redis as unknown as Record<string, ScriptMethod>)[commandName(stem)];
    if (!method) throw new Error(`script ${stem} is not defined`);
    return method.call(this.#redis, keys.length, ...keys, ...args);
  }

  /** Runs a script that replies `{code, …}`. */
  async reply(
    stem: ScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<ScriptReply> {
    const result = await this.run(stem, keys, args);
    if (!Array.isArray(result) || typeof result[0] !== 'number') {
      throw new Error(`script ${stem} returned an unexpected reply`);
    }
    return result as unknown as ScriptReply;
  }
}
