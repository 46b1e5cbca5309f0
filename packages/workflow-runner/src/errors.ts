/** Where in a workflow or action file something is. */
export interface Source {
  file: string;
  line?: number;
}

/** A workflow the executor cannot run as written: an unknown action, an unsupported feature, a bad expression. */
export class WorkflowError extends Error {
  constructor(
    message: string,
    readonly source: Source,
  ) {
    super(`${source.file}${source.line ? `:${source.line}` : ''}: ${message}`);
    this.name = 'WorkflowError';
  }
}
