/** JSON schemas of the row ids in URLs and bodies: decimal bigint ids, so SQL never sees anything else. */

export const ROW_ID = { type: 'string', pattern: '^[0-9]{1,18}$' } as const;

/** Path parameters that are all row ids, e.g. idParams('id') for /things/:id. */
export function idParams(...names: string[]) {
  return { type: 'object', required: names, properties: Object.fromEntries(names.map((name) => [name, ROW_ID])) } as const;
}
