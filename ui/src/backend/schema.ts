// Runtime descriptions of the backend's JSON, from which the TypeScript types are inferred:
// one definition gives both the type and a check, so `types.test.ts` can hold the Rust side's
// sample JSON against exactly the types the UI compiles with.

export interface Schema<T> {
  /** null when `value` fits; otherwise what is wrong, starting with its path. */
  readonly check: (value: unknown, path: string) => string | null;
  /** Only carries the type; never set. */
  readonly _type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

const describe = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "string" ? JSON.stringify(v) : typeof v;

function leaf<T>(what: string, ok: (v: unknown) => boolean): Schema<T> {
  return { check: (v, path) => (ok(v) ? null : `${path}: expected ${what}, got ${describe(v)}`) };
}

export const str = leaf<string>("a string", (v) => typeof v === "string");
export const int = leaf<number>("a whole number", (v) => Number.isInteger(v));
export const num = leaf<number>("a number", (v) => typeof v === "number" && Number.isFinite(v));
export const bool = leaf<boolean>("true or false", (v) => typeof v === "boolean");
/** Any JSON value (a setting's value is a number or a string, depending on the setting). */
export const json = leaf<unknown>("any JSON value", (v) => v !== undefined);

export function lit<const T extends readonly string[]>(...values: T): Schema<T[number]> {
  return leaf(`one of ${values.join(", ")}`, (v) => typeof v === "string" && values.includes(v));
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return { check: (v, path) => (v === null ? null : inner.check(v, path)) };
}

export function arr<T>(inner: Schema<T>): Schema<T[]> {
  return {
    check: (v, path) => {
      if (!Array.isArray(v)) return `${path}: expected an array, got ${describe(v)}`;
      for (const [i, item] of v.entries()) {
        const e = inner.check(item, `${path}[${i}]`);
        if (e) return e;
      }
      return null;
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type FromShape<S extends Shape> = Simplify<{ [K in keyof S]: Infer<S[K]> }>;

function checkShape(shape: Shape, v: unknown, path: string, skip?: string): string | null {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return `${path}: expected an object, got ${describe(v)}`;
  const record = v as Record<string, unknown>;
  for (const [key, schema] of Object.entries(shape)) {
    if (!(key in record)) return `${path}.${key}: missing`;
    const e = schema.check(record[key], `${path}.${key}`);
    if (e) return e;
  }
  // Strict: a field the UI does not know means the Rust type changed and this file did not.
  for (const key of Object.keys(record)) {
    if (key !== skip && !(key in shape)) return `${path}.${key}: not in the UI's type`;
  }
  return null;
}

export function obj<S extends Shape>(shape: S): Schema<FromShape<S>> {
  return { check: (v, path) => checkShape(shape, v, path) };
}

type Variants = Record<string, Shape>;
type FromVariants<K extends string, V extends Variants> = {
  [N in keyof V & string]: Simplify<{ [P in K]: N } & FromShape<V[N]>>;
}[keyof V & string];

/** A Rust enum serialized with `#[serde(tag = "...")]`. */
export function tagged<K extends string, V extends Variants>(tag: K, variants: V): Schema<FromVariants<K, V>> {
  return {
    check: (v, path) => {
      if (typeof v !== "object" || v === null) return `${path}: expected an object, got ${describe(v)}`;
      const name = (v as Record<string, unknown>)[tag];
      const shape = typeof name === "string" ? variants[name] : undefined;
      if (!shape) return `${path}.${tag}: expected one of ${Object.keys(variants).join(", ")}, got ${describe(name)}`;
      return checkShape(shape, v, `${path}<${name}>`, tag);
    },
  };
}

/** `value` as a `T`, or an error naming the first thing that does not fit. */
export function parse<T>(schema: Schema<T>, value: unknown, what = "value"): T {
  const e = schema.check(value, what);
  if (e) throw new TypeError(e);
  return value as T;
}
