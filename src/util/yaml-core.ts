/**
 * The plain scalars the YAML 1.2 core schema resolves to something other
 * than a string (https://yaml.org/spec/1.2.2/#103-core-schema): null, bool,
 * int (octal, decimal, hex), .inf/.nan, floats — the same regexes as `yaml`
 * 2.x's core tags. The lockfile emitter quotes such strings; the fast reader
 * (yaml-fast.ts) refuses the forms it does not resolve itself.
 */
export const CORE_NON_STRING: readonly RegExp[] = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
