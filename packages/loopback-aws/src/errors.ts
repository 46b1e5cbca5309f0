/** An error answered in the shape the calling service uses: JSON `__type` for ECS/ECR, an XML ErrorResponse for the query APIs. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }

  /** Query APIs say whether the caller (Sender) or the service (Receiver) was at fault. */
  get faultType(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** One injected failure, answered instead of the next matching request(s). */
export interface Fault {
  /** Error code, e.g. ThrottlingException or ExpiredTokenException. */
  code: string;
  /** HTTP status; 400 unless set. */
  status?: number;
  message?: string;
  /** Only requests to this service: `ecs`, `ecr`, `elasticloadbalancing` or `sts`. */
  service?: string;
  /** How many matching requests fail; 1 unless set. */
  times?: number;
}
