import { CALLER_SESSION, type World } from './world.js';
import type { QueryParams, XmlValue } from './xml.js';

/** STS (query protocol, Version 2011-06-15): who the deploy role is. */

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

function GetCallerIdentity(world: World): XmlValue {
  return {
    UserId: `AROA${world.accountId}EXAMPLE:${CALLER_SESSION}`,
    Account: world.accountId,
    Arn: world.callerArn,
  };
}

const OPERATIONS: Record<string, (world: World, params: QueryParams) => XmlValue> = { GetCallerIdentity };

export function stsOperation(operation: string): ((world: World, params: QueryParams) => XmlValue) | undefined {
  return Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
}
