/** The nodes both YAML readers give (yaml-block.ts, yaml-library.ts) and yaml-plain.ts converts; no code of either. */
import type { KeyPath } from './path.js';

/** A problem found while reading the YAML itself, at a byte offset. */
export interface YamlProblem {
  readonly offset: number;
  readonly message: string;
  readonly path?: KeyPath;
  /** The document cannot be read as written (duplicate key, broken alias): nothing else is worth checking. */
  readonly fatal?: boolean;
}

/** No deploy.yml nests more than a few levels; far deeper input would exhaust the parser's stack. */
export const MAX_DEPTH = 100;

/**
 * The plain `<<` key of a mapping: merge the mapping(s) it names (YAML 1.1 merge keys, as the yaml library reads
 * them). From the global registry: the CLI bundle has a second copy of this module, in the yaml library's file.
 */
export const MERGE_KEY: unique symbol = Symbol.for('deploy.yaml.merge-key');

/** A YAML node with the offset where it starts; what both readers produce and yaml-plain.ts converts. */
export type YamlNode = YamlScalar | YamlSeq | YamlMap | YamlAlias;

export interface YamlScalar {
  readonly kind: 'scalar';
  /** Typed by the YAML 1.2 core schema when plain: null, boolean, number or string; MERGE_KEY for a `<<` key. */
  readonly value: unknown;
  readonly offset: number;
  /** Written without quotes (nor `|`): `${VAR}` results are then typed again (config/interpolate.ts readPlain). */
  readonly plain: boolean;
}

export interface YamlSeq {
  readonly kind: 'seq';
  readonly items: (YamlNode | null)[];
  readonly offset: number;
}

export interface YamlMap {
  readonly kind: 'map';
  readonly pairs: YamlPair[];
  readonly offset: number;
}

export interface YamlPair {
  readonly key: YamlNode | null;
  readonly value: YamlNode | null;
}

export interface YamlAlias {
  readonly kind: 'alias';
  readonly name: string;
  readonly offset: number;
  /** The node of the last anchor of this name before the alias (YAML's rule); undefined when there is none. */
  readonly target: YamlNode | undefined;
}
