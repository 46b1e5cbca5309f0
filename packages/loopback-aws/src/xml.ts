/** XML for the query-protocol APIs (STS, ELBv2): the SDK parses `<member>` lists and ISO timestamps. */

export type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | { [key: string]: XmlValue };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

function render(value: XmlValue): string {
  if (value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${render(item)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .map(([name, child]) => `<${name}>${render(child)}</${name}>`)
      .join('');
  }
  return escapeXml(String(value));
}

/** `<{Action}Response xmlns=...><{Action}Result>...</{Action}Result><ResponseMetadata>...</ResponseMetadata></...>` */
export function queryResponse(action: string, namespace: string, result: XmlValue, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}">` +
    `<${action}Result>${render(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function queryError(
  namespace: string,
  error: { type: string; code: string; message: string },
  requestId: string,
): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}">` +
    `<Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** The form parameters of a query request, e.g. `Targets.member.1.Id=10.0.1.5`. */
export type QueryParams = Record<string, string>;

export function parseQueryBody(body: string): QueryParams {
  return Object.fromEntries(new URLSearchParams(body));
}

/** `Names.member.1=a&Names.member.2=b` -> ['a', 'b'] */
export function queryStringList(params: QueryParams, name: string): string[] {
  return queryMembers(params, name).map(([, value]) => value);
}

/** `Targets.member.1.Id=x&Targets.member.1.Port=80` -> [{ Id: 'x', Port: '80' }] */
export function queryStructList(params: QueryParams, name: string): Array<Record<string, string>> {
  const byIndex = new Map<number, Record<string, string>>();
  const prefix = `${name}.member.`;
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith(prefix)) continue;
    const [index, ...field] = key.slice(prefix.length).split('.');
    if (field.length === 0) continue;
    const item = byIndex.get(Number(index)) ?? {};
    item[field.join('.')] = value;
    byIndex.set(Number(index), item);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

function queryMembers(params: QueryParams, name: string): Array<[number, string]> {
  const pattern = new RegExp(`^${name.replace(/\./g, '\\.')}\\.member\\.(\\d+)$`);
  return Object.entries(params)
    .map(([key, value]): [number, string] | undefined => {
      const match = pattern.exec(key);
      return match ? [Number(match[1]), value] : undefined;
    })
    .filter((entry): entry is [number, string] => entry !== undefined)
    .sort(([a], [b]) => a - b);
}
