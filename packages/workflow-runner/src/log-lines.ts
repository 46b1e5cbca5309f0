/** Turns workflow commands in a step's output into what a person reads in the Actions log. */
export function readableLine(line: string): string | undefined {
  if (line.startsWith('::add-mask::') || line.startsWith('::debug::') || line === '::endgroup::') return undefined;
  if (line.startsWith('::set-output') || line.startsWith('::save-state')) return undefined;
  const group = /^::group::(.*)$/.exec(line);
  if (group) return `▸ ${group[1]}`;
  const annotation = /^::(error|warning|notice)[^:]*::(.*)$/.exec(line);
  if (annotation) return `${annotation[1]!.toUpperCase()}: ${decodeCommandValue(annotation[2]!)}`;
  return line;
}

function decodeCommandValue(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
